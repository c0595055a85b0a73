using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.RateLimit.Tests;

[Collection(RedisCollection.Name)]
public sealed class AdmissionTests(RedisFixture fixture)
{
    /// <summary>2025-03-10T00:00:00Z: a fixed clock the tests step by hand.</summary>
    private static readonly long Day0 = new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly RedisAdmissionController _controller = fixture.Controller;
    private readonly IDatabase _db = fixture.Redis.GetDatabase();
    private readonly string _org = "o" + Guid.NewGuid().ToString("N");

    private AdmissionLevel Org(LimitPolicy policy) => new(LimitLevel.Organization, _org, policy);

    private static AdmissionLevel Key(string id, LimitPolicy? policy = null) => new(LimitLevel.Key, id, policy ?? LimitPolicy.None);

    private static AdmissionLevel User(string id, LimitPolicy? policy = null) => new(LimitLevel.User, id, policy ?? LimitPolicy.None);

    private static AdmissionLevel Group(string id, LimitPolicy? policy = null) => new(LimitLevel.Group, id, policy ?? LimitPolicy.None);

    private AdmissionRequest Request(long? now, long tokens, long cost, params AdmissionLevel[] levels) =>
        new(_org, levels, tokens, cost, Guid.NewGuid().ToString("N")) { NowMs = now };

    private Task<AdmissionResult> Admit(long? now, params AdmissionLevel[] levels) =>
        _controller.AdmitAsync(Request(now, 0, 0, levels));

    private async Task<Dictionary<string, string>> ReadLevel(LimitLevel level, string id)
    {
        var entries = await _db.HashGetAllAsync(AdmissionKeys.Level(_org, level, id));
        return entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
    }

    [Fact]
    public async Task Sixty_four_parallel_requests_on_two_gateway_instances_admit_exactly_fifty()
    {
        await using var first = await fixture.ConnectAsync();
        await using var second = await fixture.ConnectAsync();
        var gateways = new[] { new RedisAdmissionController(first), new RedisAdmissionController(second) };
        var now = Day0 + 30_000;
        var levels = new[]
        {
            Key("k1", new LimitPolicy(RequestsPerMinute: 50)),
            User("u1", new LimitPolicy(RequestsPerMinute: 1000)),
            Group("g1", new LimitPolicy(RequestsPerMinute: 1000)),
            Org(new LimitPolicy(RequestsPerMinute: 1000)),
        };

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => gateways[i % 2].AdmitAsync(Request(now, 0, 0, levels)))));

        Assert.Equal(50, results.Count(r => r.Admitted));
        Assert.All(results.Where(r => !r.Admitted), r =>
        {
            Assert.Equal(LimitLevel.Key, r.RefusedLevel);
            Assert.Equal(LimitKind.Requests, r.RefusedKind);
            Assert.Equal(TimeSpan.FromMilliseconds(1200), r.RetryAfter);
        });
        // Exactly 50 counted at every level: the refused 14 changed nothing anywhere.
        var next = await Admit(now, User("u1", new LimitPolicy(RequestsPerMinute: 1000)));
        Assert.Equal(1000 - 51, next.Requests!.Remaining);
    }

    [Fact]
    public async Task Redis_clock_is_used_without_an_override()
    {
        var result = await Admit(null, Key("k", new LimitPolicy(RequestsPerMinute: 5)), Org(LimitPolicy.None));
        Assert.True(result.Admitted);
        Assert.True(result.NowMs > Day0);
        Assert.Equal(4, result.Requests!.Remaining);
    }

    [Fact]
    public async Task A_group_limit_stops_all_of_its_users()
    {
        var group = Group("g", new LimitPolicy(RequestsPerMinute: 5));
        var org = Org(new LimitPolicy(RequestsPerMinute: 100));
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await Admit(Day0, Key($"k{i % 3}"), User($"u{i % 3}"), group, org)).Admitted);
        }
        for (var u = 0; u < 4; u++)
        {
            var refused = await Admit(Day0, Key($"k{u}"), User($"u{u}"), group, org);
            Assert.False(refused.Admitted);
            Assert.Equal(LimitLevel.Group, refused.RefusedLevel);
            Assert.Equal("g", refused.RefusedLevelId);
        }
        // A user of another group is unaffected.
        Assert.True((await Admit(Day0, Key("kx"), User("ux"), Group("other", new LimitPolicy(RequestsPerMinute: 5)), org)).Admitted);
    }

    [Fact]
    public async Task An_organization_limit_stops_everyone()
    {
        var org = Org(new LimitPolicy(RequestsPerMinute: 3));
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await Admit(Day0, Key($"k{i}"), User($"u{i}"), Group($"g{i}"), org)).Admitted);
        }
        for (var i = 0; i < 5; i++)
        {
            var refused = await Admit(Day0, Key($"n{i}"), User($"v{i}"), Group($"h{i}"), org);
            Assert.False(refused.Admitted);
            Assert.Equal(LimitLevel.Organization, refused.RefusedLevel);
        }
    }

    [Fact]
    public async Task A_refusal_changes_nothing_at_any_level()
    {
        var policy = new LimitPolicy(RequestsPerMinute: 100, TokensPerMinute: 100_000, TokensPerDay: 1_000_000, MonthlyBudgetUsd: 10m);
        AdmissionLevel[] levels = [Key("k", policy), User("u", policy), Group("g", policy), Org(new LimitPolicy(RequestsPerMinute: 2, TokensPerMinute: 100_000))];
        Assert.True((await _controller.AdmitAsync(Request(Day0, 100, 1000, levels))).Admitted);
        Assert.True((await _controller.AdmitAsync(Request(Day0 + 10, 100, 1000, levels))).Admitted);
        var before = new[] { await ReadLevel(LimitLevel.Key, "k"), await ReadLevel(LimitLevel.User, "u"), await ReadLevel(LimitLevel.Group, "g"), await ReadLevel(LimitLevel.Organization, _org) };

        var request = Request(Day0 + 20, 100, 1000, levels);
        var refused = await _controller.AdmitAsync(request);

        Assert.False(refused.Admitted);
        Assert.Equal(LimitLevel.Organization, refused.RefusedLevel);
        Assert.Equal(LimitKind.Requests, refused.RefusedKind);
        var after = new[] { await ReadLevel(LimitLevel.Key, "k"), await ReadLevel(LimitLevel.User, "u"), await ReadLevel(LimitLevel.Group, "g"), await ReadLevel(LimitLevel.Organization, _org) };
        for (var i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i], after[i]);
        }
        Assert.Equal("200", after[0]["day_used"]);
        Assert.Equal("2000", after[0]["mon_spent"]);
        Assert.False(await _db.KeyExistsAsync(AdmissionKeys.Reservation(_org, request.ReservationId)));
    }

    [Fact]
    public async Task Gcra_has_no_double_burst_at_a_minute_edge()
    {
        var key = Key("k", new LimitPolicy(RequestsPerMinute: 50));
        var endOfMinute = Day0 + 59_900;
        var burst = 0;
        for (var i = 0; i < 60; i++)
        {
            burst += (await Admit(endOfMinute, key)).Admitted ? 1 : 0;
        }
        Assert.Equal(50, burst);

        var afterEdge = 0;
        for (var i = 0; i < 50; i++)
        {
            afterEdge += (await Admit(Day0 + 60_100, key)).Admitted ? 1 : 0;
        }
        Assert.True(afterEdge <= 1, $"{afterEdge} admitted just after the minute edge");

        // One emission interval (60 s / 50 = 1.2 s) after the burst exactly one more is due.
        var oneInterval = 0;
        for (var i = 0; i < 5; i++)
        {
            oneInterval += (await Admit(endOfMinute + 1_200, key)).Admitted ? 1 : 0;
        }
        Assert.Equal(1, oneInterval);

        // A full minute later the whole allowance is back.
        var refilled = 0;
        for (var i = 0; i < 60; i++)
        {
            refilled += (await Admit(endOfMinute + 1_200 + 60_000, key)).Admitted ? 1 : 0;
        }
        Assert.Equal(50, refilled);
    }

    [Fact]
    public async Task Tokens_per_minute_counts_estimated_tokens()
    {
        var key = Key("k", new LimitPolicy(TokensPerMinute: 1000));
        Assert.True((await _controller.AdmitAsync(Request(Day0, 400, 0, key))).Admitted);
        var second = await _controller.AdmitAsync(Request(Day0, 400, 0, key));
        Assert.True(second.Admitted);
        Assert.Equal(200, second.Tokens!.Remaining);

        var refused = await _controller.AdmitAsync(Request(Day0, 400, 0, key));
        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.Tokens, refused.RefusedKind);
        // 200 tokens over at 1000 tokens/min: 12 s until they have drained.
        Assert.Equal(TimeSpan.FromSeconds(12), refused.RetryAfter);
        Assert.True((await _controller.AdmitAsync(Request(Day0 + 12_000, 400, 0, key))).Admitted);

        var tooLarge = await _controller.AdmitAsync(Request(Day0 + 600_000, 1001, 0, key));
        Assert.False(tooLarge.Admitted);
        Assert.Null(tooLarge.RetryAfter);
    }

    [Fact]
    public async Task Tokens_per_day_reset_at_the_utc_day_boundary()
    {
        var key = Key("k", new LimitPolicy(TokensPerDay: 1000));
        var lastMinute = Day0 + 86_400_000 - 60_000;
        Assert.True((await _controller.AdmitAsync(Request(lastMinute, 600, 0, key))).Admitted);
        var refused = await _controller.AdmitAsync(Request(lastMinute, 600, 0, key));
        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.TokensDay, refused.RefusedKind);
        Assert.Equal(TimeSpan.FromMinutes(1), refused.RetryAfter);
        Assert.False((await _controller.AdmitAsync(Request(Day0 + 86_400_000 - 1, 600, 0, key))).Admitted);

        Assert.True((await _controller.AdmitAsync(Request(Day0 + 86_400_000, 600, 0, key))).Admitted);
        Assert.Equal("600", (await ReadLevel(LimitLevel.Key, "k"))["day_used"]);
    }

    [Fact]
    public async Task Reconciliation_leaves_counters_at_the_true_usage()
    {
        var policy = new LimitPolicy(TokensPerMinute: 10_000, TokensPerDay: 100_000, MonthlyBudgetUsd: 1m);
        AdmissionLevel[] levels = [Key("k", policy), User("u", policy), Org(policy)];

        // Refund: reserved 1000 tokens / 5000 µUSD, used 300 / 1200.
        var first = await _controller.AdmitAsync(Request(Day0, 1000, 5000, levels));
        Assert.Equal(9000, first.Tokens!.Remaining);
        var refund = await _controller.ReconcileAsync(first.Reservation!, 300, 1200, Day0);
        Assert.Equal(new ReconcileResult(ReconcileOutcome.Reconciled, -700, -3800), refund);

        // Extra charge: reserved 100 / 500, used 250 / 2000.
        var second = await _controller.AdmitAsync(Request(Day0, 100, 500, levels));
        Assert.Equal(10_000 - 300 - 100, second.Tokens!.Remaining);
        var extra = await _controller.ReconcileAsync(second.Reservation!, 250, 2000, Day0);
        Assert.Equal(new ReconcileResult(ReconcileOutcome.Reconciled, 150, 1500), extra);

        // Reconciling again changes nothing.
        Assert.Equal(ReconcileOutcome.AlreadyReconciled, (await _controller.ReconcileAsync(first.Reservation!, 0, 0, Day0)).Outcome);
        Assert.Equal(ReconcileOutcome.AlreadyReconciled, (await _controller.ReconcileAsync(second.Reservation!, 9999, 9999, Day0)).Outcome);

        foreach (var (level, id) in new[] { (LimitLevel.Key, "k"), (LimitLevel.User, "u"), (LimitLevel.Organization, _org) })
        {
            var counters = await ReadLevel(level, id);
            Assert.Equal("550", counters["day_used"]);
            Assert.Equal("3200", counters["mon_spent"]);
            Assert.Equal((550L * 60_000).ToString(System.Globalization.CultureInfo.InvariantCulture), counters["tk_d"]);
        }
        var probe = await _controller.AdmitAsync(Request(Day0, 0, 0, levels));
        Assert.Equal(10_000 - 550, probe.Tokens!.Remaining);

        var unknown = new AdmissionReservation(_org, "nope", [AdmissionKeys.Level(_org, LimitLevel.Key, "k")]);
        Assert.Equal(ReconcileOutcome.Missing, (await _controller.ReconcileAsync(unknown, 1, 1, Day0)).Outcome);
    }

    [Fact]
    public async Task A_spent_budget_answers_insufficient_quota()
    {
        var org = Org(new LimitPolicy(MonthlyBudgetUsd: 0.01m)); // 10 000 µUSD
        var first = await _controller.AdmitAsync(Request(Day0, 10, 6000, Key("k"), org));
        Assert.True(first.Admitted);
        Assert.Null(RateLimitHeaders.Refusal(first));

        var refused = await _controller.AdmitAsync(Request(Day0, 10, 6000, Key("k"), org));
        Assert.False(refused.Admitted);
        Assert.Equal(LimitKind.Budget, refused.RefusedKind);
        Assert.Equal(LimitLevel.Organization, refused.RefusedLevel);
        var monthEnd = new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal(TimeSpan.FromMilliseconds(monthEnd - Day0), refused.RetryAfter);
        var body = RateLimitHeaders.Refusal(refused)!;
        Assert.Equal(429, body.StatusCode);
        Assert.Equal("insufficient_quota", body.Code);

        // Spending the rest exactly, then even a zero estimate is refused; the next month starts over.
        var rest = await _controller.AdmitAsync(Request(Day0, 10, 4000, Key("k"), org));
        Assert.True(rest.Admitted);
        Assert.Equal(LimitKind.Budget, (await _controller.AdmitAsync(Request(Day0, 0, 0, Key("k"), org))).RefusedKind);
        Assert.True((await _controller.AdmitAsync(Request(monthEnd, 10, 6000, Key("k"), org))).Admitted);
    }

    [Fact]
    public async Task Budget_month_follows_the_calendar_across_a_leap_day()
    {
        var org = Org(new LimitPolicy(MonthlyBudgetUsd: 0.001m));
        var leapDay = new DateTimeOffset(2024, 2, 29, 23, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.True((await _controller.AdmitAsync(Request(leapDay, 0, 1000, org))).Admitted);
        var refused = await _controller.AdmitAsync(Request(leapDay, 0, 1, org));
        Assert.Equal(TimeSpan.FromHours(1), refused.RetryAfter);
        Assert.True((await _controller.AdmitAsync(Request(leapDay + 3_600_000, 0, 1000, org))).Admitted);
    }

    [Fact]
    public async Task Header_values_match_the_counters()
    {
        var key = Key("k", new LimitPolicy(RequestsPerMinute: 10, TokensPerMinute: 1000));
        var user = User("u", new LimitPolicy(RequestsPerMinute: 20, TokensPerMinute: 500));
        for (var i = 1; i <= 3; i++)
        {
            var result = await _controller.AdmitAsync(Request(Day0, 100, 0, key, user));
            var headers = RateLimitHeaders.For(result).ToDictionary(h => h.Key, h => h.Value);
            Assert.Equal("10", headers[RateLimitHeaders.LimitRequests]);
            Assert.Equal((10 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), headers[RateLimitHeaders.RemainingRequests]);
            Assert.Equal(RateLimitHeaders.Duration(TimeSpan.FromMilliseconds(6000 * i)), headers[RateLimitHeaders.ResetRequests]);
            Assert.Equal("500", headers[RateLimitHeaders.LimitTokens]);
            Assert.Equal((500 - 100 * i).ToString(System.Globalization.CultureInfo.InvariantCulture), headers[RateLimitHeaders.RemainingTokens]);
            Assert.Equal(RateLimitHeaders.Duration(TimeSpan.FromMilliseconds(12_000 * i)), headers[RateLimitHeaders.ResetTokens]);
            Assert.False(headers.ContainsKey(RateLimitHeaders.RetryAfter));

            // The counters behind the headers.
            var stored = await ReadLevel(LimitLevel.Key, "k");
            Assert.Equal(i * 60_000L, long.Parse(stored["rq_d"], System.Globalization.CultureInfo.InvariantCulture));
        }

        var refused = await _controller.AdmitAsync(Request(Day0, 300, 0, key, user));
        var refusedHeaders = RateLimitHeaders.For(refused).ToDictionary(h => h.Key, h => h.Value);
        Assert.Equal("200", refusedHeaders[RateLimitHeaders.RemainingTokens]);
        Assert.Equal("7", refusedHeaders[RateLimitHeaders.RemainingRequests]);
        Assert.Equal("12", refusedHeaders[RateLimitHeaders.RetryAfter]);
        Assert.Equal("12000", refusedHeaders[RateLimitHeaders.RetryAfterMs]);
        Assert.Equal("rate_limit_exceeded", RateLimitHeaders.Refusal(refused)!.Code);
    }

    [Fact]
    public async Task Flushed_scripts_are_reloaded()
    {
        await using var admin = await fixture.ConnectAsync(allowAdmin: true);
        var controller = new RedisAdmissionController(admin);
        var key = Key("k", new LimitPolicy(RequestsPerMinute: 5));
        Assert.True((await controller.AdmitAsync(Request(Day0, 0, 0, key))).Admitted);
        await admin.GetServers()[0].ScriptFlushAsync();
        var after = await controller.AdmitAsync(Request(Day0, 0, 0, key));
        Assert.True(after.Admitted);
        Assert.Equal(3, after.Requests!.Remaining);
    }

    [Fact]
    public async Task A_reservation_id_is_used_once()
    {
        var request = Request(Day0, 10, 0, Key("k", new LimitPolicy(TokensPerMinute: 500)));
        Assert.True((await _controller.AdmitAsync(request)).Admitted);
        await Assert.ThrowsAsync<RedisServerException>(() => _controller.AdmitAsync(request));
    }

    [Fact]
    public async Task Only_requests_limits_record_no_reservation_and_write_nothing_but_their_counters()
    {
        var request = Request(Day0, 10, 0, Key("k", new LimitPolicy(RequestsPerMinute: 5)));
        var result = await _controller.AdmitAsync(request);
        Assert.True(result.Admitted);
        Assert.Null(result.Reservation);
        Assert.False(await _db.KeyExistsAsync(AdmissionKeys.Reservation(_org, request.ReservationId)));
        Assert.Equal(["rq_at", "rq_d"], (await ReadLevel(LimitLevel.Key, "k")).Keys.Order());
    }

    [Fact]
    public async Task A_level_without_a_given_policy_is_judged_by_its_mirror_in_the_same_call()
    {
        var writer = new PolicyMirrorWriter(fixture.Redis);
        await writer.WriteAsync([
            new PolicyMirrorEntry(_org, LimitLevel.User, "u1", new LimitPolicy(RequestsPerMinute: 2, TokensPerDay: 1000, MonthlyBudgetUsd: 1.5m), false, 1),
        ]);
        var levels = new[] { new AdmissionLevel(LimitLevel.Key, "k1"), new AdmissionLevel(LimitLevel.User, "u1"), new AdmissionLevel(LimitLevel.Organization, _org) };

        var first = await _controller.AdmitAsync(Request(Day0, 100, 0, levels));
        var second = await _controller.AdmitAsync(Request(Day0, 100, 0, levels));
        var third = await _controller.AdmitAsync(Request(Day0, 100, 0, levels));

        Assert.True(first.Admitted);
        Assert.True(second.Admitted);
        Assert.False(third.Admitted);
        Assert.Equal(LimitLevel.User, third.RefusedLevel);
        Assert.Equal(LimitKind.Requests, third.RefusedKind);
        Assert.Equal(new LimitPolicy(2, null, 1000, 1.5m), first.Policies[1]);
        Assert.Equal(LimitPolicy.None, first.Policies[0]);
        Assert.Equal(LimitPolicy.None, first.Policies[2]);
        Assert.Equal(2, second.Requests!.Limit);
        Assert.Equal(0, second.Requests.Remaining);
        Assert.NotNull(first.Reservation); // tokens/day and the budget are reconcilable
    }

    [Fact]
    public async Task A_reservation_is_a_compact_hash_and_goes_soon_after_it_is_reconciled()
    {
        var org = Guid.NewGuid().ToString(); // production ids: GUIDs, so level keys are at their longest
        var levels = new[]
        {
            new AdmissionLevel(LimitLevel.Key, Guid.NewGuid().ToString(), new LimitPolicy(TokensPerMinute: 100_000, TokensPerDay: 1_000_000)),
            new AdmissionLevel(LimitLevel.Organization, org, new LimitPolicy(TokensPerMinute: 100_000, MonthlyBudgetUsd: 100m)),
        };
        var admitted = await _controller.AdmitAsync(new AdmissionRequest(org, levels, 1000, 0, Guid.NewGuid().ToString("N")));
        var key = AdmissionKeys.Reservation(org, admitted.Reservation!.ReservationId);

        // Redis keeps small hashes (every value under 64 bytes) in its compact encoding: ~10x less memory per request.
        var encoding = (string?)await _db.ExecuteAsync("OBJECT", "ENCODING", key);
        Assert.Contains(encoding, new[] { "listpack", "ziplist" });
        Assert.InRange((await _db.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(14), RedisAdmissionController.DefaultReservationTtl);

        Assert.Equal(ReconcileOutcome.Reconciled, (await _controller.ReconcileAsync(org, admitted.Reservation.ReservationId, 10, 0)).Outcome);
        Assert.InRange((await _db.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(4), RedisAdmissionController.ReconciledTtl);
        Assert.Equal(ReconcileOutcome.AlreadyReconciled, (await _controller.ReconcileAsync(admitted.Reservation, 10, 0)).Outcome);
    }

    [Fact]
    public async Task A_reservation_reconciled_by_its_id_alone_leaves_the_counters_at_the_true_usage()
    {
        var writer = new PolicyMirrorWriter(fixture.Redis);
        await writer.WriteAsync([
            new PolicyMirrorEntry(_org, LimitLevel.Organization, _org, new LimitPolicy(TokensPerDay: 100_000, MonthlyBudgetUsd: 10m), false, 1),
        ]);
        var levels = new[] { new AdmissionLevel(LimitLevel.User, "u1"), new AdmissionLevel(LimitLevel.Organization, _org) };
        var admitted = await _controller.AdmitAsync(Request(Day0, 1500, 0, levels));
        Assert.Equal("1500", (await ReadLevel(LimitLevel.Organization, _org))["day_used"]);

        var reconciled = await _controller.ReconcileAsync(_org, admitted.Reservation!.ReservationId, 420, 2_500, Day0 + 1000);
        var again = await _controller.ReconcileAsync(_org, admitted.Reservation.ReservationId, 420, 2_500, Day0 + 2000);
        var unknown = await _controller.ReconcileAsync(_org, "no-such-reservation", 420, 2_500, Day0 + 2000);

        Assert.Equal(new ReconcileResult(ReconcileOutcome.Reconciled, 420 - 1500, 2_500), reconciled);
        Assert.Equal(ReconcileOutcome.AlreadyReconciled, again.Outcome);
        Assert.Equal(ReconcileOutcome.Missing, unknown.Outcome);
        var counters = await ReadLevel(LimitLevel.Organization, _org);
        Assert.Equal("420", counters["day_used"]);
        Assert.Equal("2500", counters["mon_spent"]);
    }

    [Fact]
    public void Keys_of_an_organization_share_one_cluster_slot()
    {
        var org = "acme";
        var tag = AdmissionKeys.HashTag(org);
        Assert.Equal("{org:acme}", tag);
        Assert.Contains(tag, AdmissionKeys.Level(org, LimitLevel.Key, "key{x}"));
        Assert.StartsWith("rl:{org:acme}:", AdmissionKeys.Reservation(org, "r1"));
        Assert.Throws<ArgumentException>(() => AdmissionKeys.HashTag("a}b"));
    }
}
