using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.Gateway.Admission;
using Synaxis.ServiceKit.Admission;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.Admission;

/// <summary>
/// Admission leases against a real redis-server: a busy caller is admitted in process from a block charged in Redis,
/// two gateways with leases never admit past a limit, what a lease did not use goes back, a leased request's
/// reservation reconciles like any other, and near a limit no lease is granted.
/// </summary>
public sealed class AdmissionLeaseTests : IAsyncLifetime
{
    private readonly string _org = Guid.NewGuid().ToString();
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true"); // INFO counts script calls
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private AdmissionLevel[] Levels(string user) =>
        [new AdmissionLevel(LimitLevel.User, user), new AdmissionLevel(LimitLevel.Organization, _org)];

    private Task MirrorAsync(LimitLevel level, string id, LimitPolicy policy) =>
        new PolicyMirrorWriter(_connection).WriteAsync([
            new PolicyMirrorEntry(_org, level, id, policy, false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        ]);

    private sealed class Gateway : IDisposable
    {
        public Gateway(IConnectionMultiplexer redis, TimeSpan? lifetime = null)
        {
            var options = Options.Create(new AdmissionOptions { LeaseLifetime = lifetime ?? TimeSpan.FromSeconds(1) });
            Controller = new RedisAdmissionController(redis);
            var lastKnown = new LastKnownPolicies();
            Leases = new AdmissionLeases(Controller, lastKnown, options, TimeProvider.System, NullLogger<AdmissionLeases>.Instance);
            Admission = new GatewayAdmission(Controller, Leases, lastKnown, new LocalAdmission(TimeProvider.System), options, TimeProvider.System,
                NullLogger<GatewayAdmission>.Instance);
        }

        public RedisAdmissionController Controller { get; }

        public AdmissionLeases Leases { get; }

        public GatewayAdmission Admission { get; }

        public void Dispose() => Leases.Dispose();
    }

    private async Task<long> ScriptCallsAsync()
    {
        var info = await _connection.GetServers()[0].InfoAsync("commandstats");
        var stat = info.SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_evalsha").Value;
        return stat is null ? 0 : long.Parse(stat.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_busy_caller_is_admitted_from_a_lease_and_each_leased_reservation_reconciles()
    {
        var user = Guid.NewGuid().ToString();
        await MirrorAsync(LimitLevel.User, user, new LimitPolicy(RequestsPerMinute: 1_000_000, TokensPerMinute: 1_000_000_000));
        await MirrorAsync(LimitLevel.Organization, _org, new LimitPolicy(TokensPerDay: 1_000_000_000));
        using var gateway = new Gateway(_connection);
        var before = await ScriptCallsAsync();

        var results = new List<AdmissionResult>();
        for (var i = 0; i < 300; i++)
        {
            var decision = await gateway.Admission.AdmitAsync(_org, Levels(user), 100);
            Assert.Equal(AdmissionOutcome.Admitted, decision.Outcome);
            Assert.False(decision.Local);
            results.Add(decision.Result!);
        }

        // Leases, refills and the first exact admissions: far fewer script calls than requests.
        var calls = await ScriptCallsAsync() - before;
        Assert.InRange(calls, 2, 40);
        // Every request names its own reservation; a leased one names its lease's template and its estimate, and
        // nothing was written for it (the template, written with the lease, says what to reconcile).
        var reservations = results.Select(r => r.Reservation!.ReservationId).ToList();
        Assert.Equal(300, reservations.Distinct().Count());
        var db = _connection.GetDatabase();
        var last = results[^1].Reservation!;
        Assert.True(LeasedReservationId.TryParse(last.ReservationId, out var leaseId, out var reserved), last.ReservationId);
        Assert.Equal(100, reserved);
        Assert.True(await db.KeyExistsAsync(AdmissionKeys.LeaseTemplate(_org, leaseId)));
        Assert.False(await db.KeyExistsAsync(AdmissionKeys.Reservation(_org, last.ReservationId)));

        // Routing reports 40 tokens instead of 100: the day's count drops by 60, exactly once.
        var orgLevel = AdmissionKeys.Level(_org, LimitLevel.Organization, _org);
        var dayBefore = (long)await db.HashGetAsync(orgLevel, "day_used");
        var reconciled = await gateway.Controller.ReconcileAsync(_org, last.ReservationId, 40, 0);
        Assert.Equal(ReconcileOutcome.Reconciled, reconciled.Outcome);
        Assert.Equal(-60, reconciled.TokenDelta);
        Assert.Equal(dayBefore - 60, (long)await db.HashGetAsync(orgLevel, "day_used"));
        Assert.Equal(ReconcileOutcome.AlreadyReconciled, (await gateway.Controller.ReconcileAsync(_org, last.ReservationId, 40, 0)).Outcome);
        Assert.Equal(dayBefore - 60, (long)await db.HashGetAsync(orgLevel, "day_used"));
        // Its reservation, recorded by the reconciliation, is kept only to answer a redelivery.
        var kept = await db.KeyTimeToLiveAsync(AdmissionKeys.Reservation(_org, last.ReservationId));
        Assert.NotNull(kept);
        Assert.InRange(kept!.Value, TimeSpan.FromSeconds(1), RedisAdmissionController.ReconciledTtl);

        // Remaining requests count down one by one within a lease, never above the limit.
        Assert.All(results, r => Assert.InRange(r.Requests!.Remaining, 0, 1_000_000));
        Assert.Contains(results.Zip(results.Skip(1)), pair => pair.Second.Requests!.Remaining == pair.First.Requests!.Remaining - 1);
    }

    [Fact]
    public async Task What_a_lease_did_not_use_is_given_back()
    {
        var user = Guid.NewGuid().ToString();
        // Tokens per day: a calendar counter that does not drain with time, so the count is exact.
        await MirrorAsync(LimitLevel.User, user, new LimitPolicy(TokensPerDay: 100_000_000));
        await MirrorAsync(LimitLevel.Organization, _org, LimitPolicy.None);
        using var gateway = new Gateway(_connection, TimeSpan.FromMilliseconds(200));
        var userLevel = AdmissionKeys.Level(_org, LimitLevel.User, user);
        var db = _connection.GetDatabase();

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(AdmissionOutcome.Admitted, (await gateway.Admission.AdmitAsync(_org, Levels(user), 1_000)).Outcome);
        }
        // While the lease lives its whole block is counted (more than was used) ...
        Assert.True((long)await db.HashGetAsync(userLevel, "day_used") > 50_000);
        // ... and once the set is quiet past the lease's lifetime, only what was used stays.
        await Eventually.ResultAsync(async () => (long)await db.HashGetAsync(userLevel, "day_used"), used => used == 50_000, "the day's count back to what was used");
    }

    [Fact]
    public async Task Two_gateways_with_leases_never_admit_past_a_limit()
    {
        var user = Guid.NewGuid().ToString();
        const long limit = 2_000; // a day's tokens at 1 token a request: exact, it does not drain
        await MirrorAsync(LimitLevel.User, user, new LimitPolicy(TokensPerDay: limit));
        await MirrorAsync(LimitLevel.Organization, _org, LimitPolicy.None);
        using var first = new Gateway(_connection);
        using var second = new Gateway(_connection);
        var before = await ScriptCallsAsync();

        async Task<int> HammerAsync(Gateway gateway)
        {
            var admitted = 0;
            for (var i = 0; i < 1_500; i++)
            {
                var decision = await gateway.Admission.AdmitAsync(_org, Levels(user), 1);
                Assert.NotEqual(AdmissionOutcome.Unavailable, decision.Outcome);
                admitted += decision.Outcome == AdmissionOutcome.Admitted ? 1 : 0;
            }
            return admitted;
        }
        var counts = await Task.WhenAll(Task.Run(() => HammerAsync(first)), Task.Run(() => HammerAsync(second)));

        Assert.True(counts.Sum() <= limit, $"admitted {counts.Sum()} of a {limit} limit");
        // Leases were in play (at least 300 of the 3,000 attempts answered without a script call: admission, refusal
        // and lease are one call each), and once they are given back exactly what was admitted is counted; the last
        // requests then are admitted exactly up to the limit.
        var calls = await ScriptCallsAsync() - before;
        Assert.True(calls <= 3_000 - 300, $"{calls} script calls for 3,000 attempts: leases admitted too few");
        first.Leases.Dispose();
        second.Leases.Dispose();
        var userLevel = AdmissionKeys.Level(_org, LimitLevel.User, user);
        await Eventually.ResultAsync(async () => (long)await _connection.GetDatabase().HashGetAsync(userLevel, "day_used"), used => used == counts.Sum(), "the day's count back to what was admitted");
        using var third = new Gateway(_connection);
        var more = 0;
        while ((await third.Admission.AdmitAsync(_org, Levels(user), 1)).Outcome == AdmissionOutcome.Admitted)
        {
            more++;
        }
        Assert.Equal(limit, counts.Sum() + more);
    }

    [Theory]
    [InlineData("0190f5a1b2c3d4e5f60718293a4b5c6d")] // an admission script's reservation: no lease
    [InlineData("0190f5a1b2c3d4e5f60718293a4b5c6d.1")]
    [InlineData("0190f5a1b2c3d4e5f60718293a4b5c6d..100")]
    [InlineData("0190f5a1b2c3d4e5f60718293a4b5c6d.1.-100")]
    [InlineData("0190F5A1B2C3D4E5F60718293A4B5C6D.1.100")]
    [InlineData("0190f5a1b2c3d4e5f60718293a4b5c6.1.100")]
    [InlineData("0190f5a1b2c3d4e5f60718293a4b5c}d.1.100")]
    [InlineData("0190f5a1b2c3d4e5f60718293a4b5c6d.1.99999999999999999999")]
    public void Only_a_well_formed_leased_reservation_id_names_a_lease(string id) =>
        Assert.False(LeasedReservationId.TryParse(id, out _, out _));

    [Fact]
    public void A_leased_reservation_id_carries_its_lease_and_estimate()
    {
        var lease = Guid.CreateVersion7().ToString("N");
        var first = LeasedReservationId.Create(lease, 1234);
        Assert.NotEqual(first, LeasedReservationId.Create(lease, 1234));
        Assert.True(LeasedReservationId.TryParse(first, out var parsed, out var tokens));
        Assert.Equal((lease, 1234L), (parsed, tokens));
    }

    [Fact]
    public async Task Near_a_limit_or_under_a_small_one_no_lease_is_granted()
    {
        var controller = new RedisAdmissionController(_connection);
        var small = Guid.NewGuid().ToString();
        await MirrorAsync(LimitLevel.User, small, new LimitPolicy(RequestsPerMinute: 10));
        await MirrorAsync(LimitLevel.Organization, _org, LimitPolicy.None);
        // 5 % of 10 requests a minute is less than one request.
        Assert.Null(await controller.LeaseAsync(_org, Levels(small), 100, 100, 1, LeaseBounds.Default));

        var busy = Guid.NewGuid().ToString();
        await MirrorAsync(LimitLevel.User, busy, new LimitPolicy(TokensPerDay: 10_000));
        var granted = 0L;
        while (await controller.LeaseAsync(_org, Levels(busy), 1_000, 1_000, 1, LeaseBounds.Default) is { } grant)
        {
            Assert.Equal(500, grant.Tokens); // cut down to 5 % of the limit
            granted += grant.Tokens;
            Assert.True(granted <= 5_000, "leased past half of the limit");
        }
        Assert.Equal(5_000, granted); // leases stop where half of the limit is left
        var userLevel = AdmissionKeys.Level(_org, LimitLevel.User, busy);
        Assert.Equal(5_000, (long)await _connection.GetDatabase().HashGetAsync(userLevel, "day_used"));

        // Given back, it can be leased again.
        await controller.ReturnLeaseAsync(_org, Levels(busy), 0, 5_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 86_400_000);
        Assert.Equal(0, (long)await _connection.GetDatabase().HashGetAsync(userLevel, "day_used"));
        Assert.NotNull(await controller.LeaseAsync(_org, Levels(busy), 1_000, 1_000, 1, LeaseBounds.Default));
    }
}
