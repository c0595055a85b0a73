using Synaxis.Gateway.Admission;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.Gateway.Tests.Admission;

public sealed class LocalAdmissionTests
{
    private const string Organization = "org-1";

    /// <summary>A wall clock the test sets by hand.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private static readonly DateTimeOffset Noon = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly AdmissionLevel Key = new(LimitLevel.Key, "key-1");
    private static readonly AdmissionLevel Org = new(LimitLevel.Organization, Organization);

    private static LevelRef Ref(AdmissionLevel level) => new(Organization, level.Level, level.Id);

    private static AdmissionResult Admit(LocalAdmission local, double share, long tokens, params (AdmissionLevel Level, LimitPolicy Policy)[] levels) =>
        local.Admit(
            levels.Select(l => Ref(l.Level)).ToArray(),
            levels.Select(l => l.Level).ToArray(),
            levels.Select(l => l.Policy).ToArray(),
            tokens,
            share);

    [Fact]
    public void A_hundred_requests_a_minute_at_a_quarter_share_admits_exactly_25_at_one_instant()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(RequestsPerMinute: 100);

        for (var i = 1; i <= 25; i++)
        {
            var admitted = Admit(local, 0.25, 0, (Key, policy));
            Assert.True(admitted.Admitted, $"request {i}");
            Assert.Equal(25, admitted.Requests!.Limit);
            Assert.Equal(25 - i, admitted.Requests.Remaining);
            Assert.Null(admitted.Tokens);
        }

        var refused = Admit(local, 0.25, 0, (Key, policy));
        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.Requests, refused.RefusedKind);
        Assert.Equal(LimitLevel.Key, refused.RefusedLevel);
        Assert.Equal("key-1", refused.RefusedLevelId);
        Assert.Equal(TimeSpan.FromMilliseconds(60_000 / 25), refused.RetryAfter);
        Assert.Equal(Noon.ToUnixTimeMilliseconds(), refused.NowMs);
    }

    [Fact]
    public void After_one_emission_interval_exactly_one_more_request_is_admitted()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(RequestsPerMinute: 100);
        for (var i = 0; i < 25; i++)
        {
            Assert.True(Admit(local, 0.25, 0, (Key, policy)).Admitted);
        }

        clock.Advance(TimeSpan.FromMilliseconds(2_399));
        var early = Admit(local, 0.25, 0, (Key, policy));
        Assert.False(early.Admitted);
        Assert.Equal(TimeSpan.FromMilliseconds(1), early.RetryAfter);

        clock.Advance(TimeSpan.FromMilliseconds(1)); // 60 s / 25 after the burst
        Assert.True(Admit(local, 0.25, 0, (Key, policy)).Admitted);
        var again = Admit(local, 0.25, 0, (Key, policy));
        Assert.False(again.Admitted);
        Assert.Equal(TimeSpan.FromMilliseconds(2_400), again.RetryAfter);

        clock.Advance(TimeSpan.FromMinutes(1)); // a whole window later the full allowance is back
        for (var i = 0; i < 25; i++)
        {
            Assert.True(Admit(local, 0.25, 0, (Key, policy)).Admitted, $"request {i + 1} after a minute");
        }
        Assert.False(Admit(local, 0.25, 0, (Key, policy)).Admitted);
    }

    [Fact]
    public void Tokens_per_minute_refuse_with_a_retry_after_once_spent()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(TokensPerMinute: 1_000);

        var first = Admit(local, 0.5, 300, (Key, policy)); // shared limit: 500
        Assert.True(first.Admitted);
        Assert.Equal(500, first.Tokens!.Limit);
        Assert.Equal(200, first.Tokens.Remaining);
        Assert.Null(first.Requests);

        var refused = Admit(local, 0.5, 300, (Key, policy));
        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.Tokens, refused.RefusedKind);
        Assert.Equal(TimeSpan.FromMilliseconds(100 * 60_000 / 500), refused.RetryAfter); // 100 tokens over

        Assert.True(Admit(local, 0.5, 200, (Key, policy)).Admitted); // what is left still fits
    }

    [Fact]
    public void A_cost_larger_than_the_shared_tokens_per_minute_is_refused_without_a_retry_after()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(TokensPerMinute: 1_000);

        var refused = Admit(local, 0.25, 251, (Key, policy)); // shared limit: 250, nothing spent yet

        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.Tokens, refused.RefusedKind);
        Assert.Equal(LimitLevel.Key, refused.RefusedLevel);
        Assert.Null(refused.RetryAfter);
        Assert.True(Admit(local, 0.25, 250, (Key, policy)).Admitted); // exactly the limit fits, and was not charged before
    }

    [Fact]
    public void Tokens_per_day_refuse_until_midnight_utc_and_reset_on_the_next_day()
    {
        var clock = new ManualClock(new DateTimeOffset(2030, 1, 15, 23, 0, 0, TimeSpan.Zero));
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(TokensPerDay: 1_000);

        Assert.True(Admit(local, 1, 600, (Org, policy)).Admitted);
        Assert.True(Admit(local, 1, 400, (Org, policy)).Admitted);
        var refused = Admit(local, 1, 1, (Org, policy));
        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.TokensDay, refused.RefusedKind);
        Assert.Equal(LimitLevel.Organization, refused.RefusedLevel);
        Assert.Equal(TimeSpan.FromHours(1), refused.RetryAfter);

        clock.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(59) + TimeSpan.FromMilliseconds(999)); // 23:59:59.999
        var stillRefused = Admit(local, 1, 1, (Org, policy));
        Assert.False(stillRefused.Admitted);
        Assert.Equal(TimeSpan.FromMilliseconds(1), stillRefused.RetryAfter);

        clock.Advance(TimeSpan.FromMilliseconds(1)); // 00:00 UTC, the 16th
        Assert.True(Admit(local, 1, 1_000, (Org, policy)).Admitted);
        Assert.False(Admit(local, 1, 1, (Org, policy)).Admitted);
    }

    [Fact]
    public void Tokens_per_day_are_scaled_by_the_share()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(TokensPerDay: 1_000);

        Assert.True(Admit(local, 0.1, 100, (Org, policy)).Admitted);
        var refused = Admit(local, 0.1, 1, (Org, policy));
        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.TokensDay, refused.RefusedKind);
        Assert.Equal(TimeSpan.FromHours(12), refused.RetryAfter);
    }

    [Fact]
    public void When_the_second_level_refuses_the_first_level_is_not_charged()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var generous = new LimitPolicy(RequestsPerMinute: 10, TokensPerMinute: 1_000, TokensPerDay: 1_000);
        var tight = new LimitPolicy(RequestsPerMinute: 1);

        Assert.True(Admit(local, 1, 0, (Org, tight)).Admitted); // spends the organization's one request
        for (var i = 0; i < 50; i++)
        {
            var refused = Admit(local, 1, 500, (Key, generous), (Org, tight));
            Assert.False(refused.Admitted);
            Assert.Equal(LimitLevel.Organization, refused.RefusedLevel);
            Assert.Equal(Organization, refused.RefusedLevelId);
            Assert.Equal(LimitKind.Requests, refused.RefusedKind);
        }

        // The key still has its whole minute and day: 10 requests and 1,000 tokens.
        for (var i = 0; i < 10; i++)
        {
            Assert.True(Admit(local, 1, 100, (Key, generous)).Admitted, $"request {i + 1}");
        }
        var spent = Admit(local, 1, 0, (Key, generous));
        Assert.False(spent.Admitted);
        Assert.Equal(LimitKind.Requests, spent.RefusedKind);
    }

    [Fact]
    public void When_the_second_level_refuses_tokens_the_first_levels_tokens_are_not_charged()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var generous = new LimitPolicy(TokensPerMinute: 1_000, TokensPerDay: 1_000);
        var tight = new LimitPolicy(TokensPerDay: 100);

        for (var i = 0; i < 20; i++)
        {
            var refused = Admit(local, 1, 400, (Key, generous), (Org, tight));
            Assert.False(refused.Admitted);
            Assert.Equal(LimitLevel.Organization, refused.RefusedLevel);
            Assert.Equal(LimitKind.TokensDay, refused.RefusedKind);
        }

        Assert.True(Admit(local, 1, 1_000, (Key, generous)).Admitted); // a full minute's and day's worth at once
        Assert.False(Admit(local, 1, 1, (Key, generous)).Admitted);
    }

    [Fact]
    public void Both_levels_are_charged_when_both_admit()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var keyPolicy = new LimitPolicy(RequestsPerMinute: 3);
        var orgPolicy = new LimitPolicy(RequestsPerMinute: 5);

        for (var i = 0; i < 3; i++)
        {
            var admitted = Admit(local, 1, 0, (Key, keyPolicy), (Org, orgPolicy));
            Assert.True(admitted.Admitted);
            Assert.Equal(LimitLevel.Key, admitted.Requests!.Level); // the tighter window is the key's
            Assert.Equal(2 - i, admitted.Requests.Remaining);
        }
        Assert.Equal(LimitLevel.Key, Admit(local, 1, 0, (Key, keyPolicy), (Org, orgPolicy)).RefusedLevel);

        // The organization spent 3 of its 5 alongside the key.
        Assert.True(Admit(local, 1, 0, (Org, orgPolicy)).Admitted);
        Assert.True(Admit(local, 1, 0, (Org, orgPolicy)).Admitted);
        Assert.False(Admit(local, 1, 0, (Org, orgPolicy)).Admitted);
    }

    [Fact]
    public void Levels_with_the_same_id_in_other_organizations_are_counted_apart()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(RequestsPerMinute: 1);
        AdmissionLevel[] levels = [Key];
        LimitPolicy[] policies = [policy];

        Assert.True(local.Admit([new LevelRef("org-a", LimitLevel.Key, "key-1")], levels, policies, 0, 1).Admitted);
        Assert.False(local.Admit([new LevelRef("org-a", LimitLevel.Key, "key-1")], levels, policies, 0, 1).Admitted);
        Assert.True(local.Admit([new LevelRef("org-b", LimitLevel.Key, "key-1")], levels, policies, 0, 1).Admitted);
    }

    [Theory]
    [InlineData(1, 0.25)]
    [InlineData(3, 0.25)]
    [InlineData(100, 0.001)]
    [InlineData(1_000_000, 0.0000001)]
    public void The_shared_requests_limit_is_never_below_one(long rpm, double share)
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(RequestsPerMinute: rpm);

        var admitted = Admit(local, share, 0, (Key, policy));
        Assert.True(admitted.Admitted);
        Assert.Equal(1, admitted.Requests!.Limit);
        Assert.Equal(0, admitted.Requests.Remaining);

        var refused = Admit(local, share, 0, (Key, policy));
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromMinutes(1), refused.RetryAfter);
    }

    [Fact]
    public void The_shared_tokens_limits_are_never_below_one()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);

        var perMinute = new LimitPolicy(TokensPerMinute: 3);
        Assert.True(Admit(local, 0.1, 1, (Key, perMinute)).Admitted);
        Assert.Null(Admit(local, 0.1, 2, (Key, perMinute)).RetryAfter); // above the limit of 1: never fits

        var perDay = new LimitPolicy(TokensPerDay: 3);
        Assert.True(Admit(local, 0.1, 1, (Org, perDay)).Admitted);
        Assert.Equal(LimitKind.TokensDay, Admit(local, 0.1, 1, (Org, perDay)).RefusedKind);
    }

    [Fact]
    public void The_share_floors_rather_than_rounds()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);
        var policy = new LimitPolicy(RequestsPerMinute: 7);

        Assert.Equal(3, Admit(local, 0.5, 0, (Key, policy)).Requests!.Limit); // 3.5 -> 3
    }

    [Fact]
    public void A_level_without_limits_always_admits_and_reports_no_window()
    {
        var clock = new ManualClock(Noon);
        var local = new LocalAdmission(clock);

        for (var i = 0; i < 1_000; i++)
        {
            var admitted = Admit(local, 0.25, 1_000_000, (Key, LimitPolicy.None));
            Assert.True(admitted.Admitted);
            Assert.Null(admitted.Requests);
            Assert.Null(admitted.Tokens);
        }
    }

    [Fact]
    public void A_request_larger_than_the_whole_day_is_refused_with_no_retry_time_and_a_zero_day_limit_admits_nothing()
    {
        var local = new LocalAdmission(new ManualClock(Noon));

        var tooLarge = Admit(local, 1.0, 101, (Key, new LimitPolicy(TokensPerDay: 100)));
        var nothing = Admit(local, 0.25, 1, (Org, new LimitPolicy(TokensPerDay: 0)));

        Assert.False(tooLarge.Admitted);
        Assert.Equal(LimitKind.TokensDay, tooLarge.RefusedKind);
        Assert.Null(tooLarge.RetryAfter); // as Redis answers: it can never pass, so no time to retry at
        Assert.False(nothing.Admitted);
    }

    [Fact]
    public void A_negative_reservation_is_refused_rather_than_handing_tokens_back()
    {
        var local = new LocalAdmission(new ManualClock(Noon));
        Assert.Throws<ArgumentOutOfRangeException>(() => Admit(local, 1.0, -998, (Key, new LimitPolicy(TokensPerMinute: 1000))));
    }
}
