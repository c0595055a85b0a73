using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.RateLimit.Events;
using Synaxis.RateLimit.Tests.Policies;
using Synaxis.ServiceKit.Admission;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;

namespace Synaxis.RateLimit.Tests.Usage;

/// <summary>
/// The service consumes Routing's <c>UsageRecorded</c> events from its event stream and reconciles the admission
/// reservation each names, so the counters end at the true usage instead of the gateway's estimate.
/// </summary>
[Collection(PolicyServiceCollection.Name)]
public sealed class UsageReconciliationTests(PolicyServiceFixture fixture) : IAsyncLifetime
{
    private const long EstimatedTokens = 1500;
    private const long EstimatedCostMicroUsd = 15_000;
    private const long TokensPerMinute = 2_000;
    private const long MinuteMs = 60_000;

    // The true usage of the tests' requests: 1 200 tokens and 0.0123456 USD, i.e. 12 346 micro-USD (rounded).
    private const long InputTokens = 200;
    private const long OutputTokens = 1_000;
    private const decimal CostUsd = 0.0123456m;
    private const long CostMicroUsd = 12_346;

    private static readonly LimitPolicy OrganizationPolicy = new(TokensPerMinute: TokensPerMinute, TokensPerDay: 1_000_000, MonthlyBudgetUsd: 100m);
    private static readonly LimitPolicy UserPolicy = new(TokensPerDay: 50_000, MonthlyBudgetUsd: 10m);

    private ConnectionMultiplexer _redis = null!;

    private IDatabase Db => _redis.GetDatabase();

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task UsageRecorded_on_the_usage_stream_reconciles_every_level_to_the_true_usage()
    {
        var admitted = await AdmitAsync();
        Assert.Equal(EstimatedTokens, (await LevelAsync(admitted, LimitLevel.Organization)).DayUsed);
        Assert.Equal(EstimatedCostMicroUsd, (await LevelAsync(admitted, LimitLevel.Organization)).MonthSpent);

        // Through the publisher, onto the usage stream, as Routing publishes it.
        var usage = UsageEvent(admitted.OrganizationId, admitted.ReservationId, InputTokens, OutputTokens, CostUsd);
        await fixture.Service.Services.GetRequiredService<EventStreamPublisher>().AppendAsync(usage, EventStreamKind.Usage);

        var organization = await WaitForLevelAsync(admitted, LimitLevel.Organization,
            c => c.DayUsed == InputTokens + OutputTokens && c.MonthSpent == CostMicroUsd, "the organization's counters to reach the true usage");
        var user = await LevelAsync(admitted, LimitLevel.User);
        Assert.Equal(InputTokens + OutputTokens, user.DayUsed);
        Assert.Equal(CostMicroUsd, user.MonthSpent);

        // Tokens/min (GCRA): the backlog the admission left, drained at the limit's rate until the reconciliation's
        // clock, then moved by (actual - estimate) tokens. Exact integers, whenever the reconciliation ran.
        Assert.NotNull(organization.TokensAt);
        var drained = Math.Max(0, EstimatedTokens * MinuteMs - (organization.TokensAt.Value - admitted.NowMs) * TokensPerMinute);
        var expected = Math.Max(0, drained + (InputTokens + OutputTokens - EstimatedTokens) * MinuteMs);
        Assert.Equal(expected, organization.TokensBacklog);

        var reservation = await HashAsync(AdmissionKeys.Reservation(admitted.OrganizationId.ToString(), admitted.ReservationId));
        Assert.Equal("reconciled", reservation["state"]);
        Assert.Equal("1200", reservation["actual_tokens"]);
        Assert.Equal("12346", reservation["actual_cost"]);
    }

    [Fact]
    public async Task The_same_usage_delivered_twice_changes_nothing_the_second_time()
    {
        var admitted = await AdmitAsync();
        var usage = UsageEvent(admitted.OrganizationId, admitted.ReservationId, InputTokens, OutputTokens, CostUsd);
        await AppendAsync(usage);
        await WaitForLevelAsync(admitted, LimitLevel.Organization,
            c => c.DayUsed == InputTokens + OutputTokens && c.MonthSpent == CostMicroUsd, "the first delivery to be reconciled");
        var before = await SnapshotAsync(admitted);

        // The very same entry again (a relay that re-published, a replayed stream).
        var again = await AppendAsync(usage);
        await WaitHandledAsync(again, "the repeated entry to be handled");
        Assert.Equal(before, await SnapshotAsync(admitted));

        // Another event naming the same reservation (a different event id, so the consumer's ProcessedEvents row does
        // not filter it): the handler runs, and the reservation, reconciled once, does not move again.
        var other = await AppendAsync(UsageEvent(admitted.OrganizationId, admitted.ReservationId, 40_000, 9_000, 3.5m));
        await WaitHandledAsync(other, "the second usage of the reservation to be handled");
        Assert.Equal(before, await SnapshotAsync(admitted));
    }

    [Fact]
    public async Task Usage_without_a_known_reservation_changes_nothing_and_later_events_still_apply()
    {
        var admitted = await AdmitAsync();
        var before = await SnapshotAsync(admitted);

        RedisValue[] entries =
        [
            await AppendAsync(UsageEvent(admitted.OrganizationId, Guid.NewGuid().ToString("N"), InputTokens, OutputTokens, CostUsd)),
            await AppendAsync(UsageEvent(admitted.OrganizationId, reservationId: null, InputTokens, OutputTokens, CostUsd)),
            await AppendAsync(UsageEvent(admitted.OrganizationId, reservationId: "", InputTokens, OutputTokens, CostUsd)),
            // The right reservation id, but no organization to find it in.
            await AppendAsync(UsageEvent(organizationId: null, admitted.ReservationId, InputTokens, OutputTokens, CostUsd)),
        ];
        foreach (var entry in entries)
        {
            await WaitHandledAsync(entry, $"entry {entry} to be handled");
        }
        Assert.Equal(before, await SnapshotAsync(admitted));

        // The consumer goes on: a later usage of the same reservation applies in full.
        await AppendAsync(UsageEvent(admitted.OrganizationId, admitted.ReservationId, InputTokens, OutputTokens, CostUsd));
        await WaitForLevelAsync(admitted, LimitLevel.Organization,
            c => c.DayUsed == InputTokens + OutputTokens && c.MonthSpent == CostMicroUsd, "the later usage to be reconciled");
        await AssertNotDeadLetteredAsync(entries);
    }

    [Fact]
    public async Task Malformed_usage_is_acknowledged_without_retries_and_changes_nothing()
    {
        var admitted = await AdmitAsync();
        var before = await SnapshotAsync(admitted);
        var organization = admitted.OrganizationId;
        var reservation = admitted.ReservationId;

        RedisValue[] entries =
        [
            await AppendAsync(UsageEvent(organization, reservation, -1, OutputTokens, CostUsd)),
            await AppendAsync(UsageEvent(organization, reservation, InputTokens, -5, CostUsd)),
            await AppendAsync(UsageEvent(organization, reservation, InputTokens, OutputTokens, -0.25m)),
            await AppendAsync(UsageEvent(organization, reservation, long.MaxValue, 1, CostUsd)),
            await AppendAsync(UsageEvent(organization, reservation, InputTokens, OutputTokens, decimal.MaxValue)),
            await AppendAsync(SynaxisEvent.Create(UsageRecordedData.EventType, organization,
                JsonSerializer.SerializeToElement(new { reservationId = reservation, inputTokens = "many" }), EventOrigin.System, DateTimeOffset.UtcNow)),
            await AppendAsync(SynaxisEvent.Create(UsageRecordedData.EventType, organization,
                JsonSerializer.SerializeToElement<object?>(null), EventOrigin.System, DateTimeOffset.UtcNow)),
        ];
        // A handler that threw would leave its entry pending (retried only after ClaimMinIdle, dead-lettered after
        // MaxDeliveries); acknowledged means handled and let go.
        foreach (var entry in entries)
        {
            await WaitHandledAsync(entry, $"malformed entry {entry} to be acknowledged");
        }
        Assert.Equal(before, await SnapshotAsync(admitted));
        await AssertNotDeadLetteredAsync(entries);

        await AppendAsync(UsageEvent(organization, reservation, InputTokens, OutputTokens, CostUsd));
        await WaitForLevelAsync(admitted, LimitLevel.Organization,
            c => c.DayUsed == InputTokens + OutputTokens && c.MonthSpent == CostMicroUsd, "the well-formed usage to be reconciled");
    }

    private sealed record Admitted(Guid OrganizationId, Guid UserId, string ReservationId, long NowMs);

    private sealed record LevelCounters(long? DayUsed, long? MonthSpent, long? TokensBacklog, long? TokensAt);

    /// <summary>Admits one request estimated at 1 500 tokens and 0.015 USD at a user and its organization.</summary>
    private async Task<Admitted> AdmitAsync()
    {
        var organizationId = Guid.NewGuid();
        var userId = Guid.NewGuid();
        var reservationId = Guid.NewGuid().ToString("N");
        var result = await new RedisAdmissionController(_redis).AdmitAsync(new AdmissionRequest(
            organizationId.ToString(),
            [
                new AdmissionLevel(LimitLevel.User, userId.ToString(), UserPolicy),
                new AdmissionLevel(LimitLevel.Organization, organizationId.ToString(), OrganizationPolicy),
            ],
            EstimatedTokens, EstimatedCostMicroUsd, reservationId));
        Assert.True(result.Admitted);
        Assert.Equal(reservationId, result.Reservation?.ReservationId);
        return new Admitted(organizationId, userId, reservationId, result.NowMs);
    }

    private static SynaxisEvent UsageEvent(Guid? organizationId, string? reservationId, long inputTokens, long outputTokens, decimal costUsd) =>
        SynaxisEvent.Create(
            UsageRecordedData.EventType,
            organizationId,
            JsonSerializer.SerializeToElement(
                new UsageRecordedData(Guid.NewGuid(), null, Guid.NewGuid(), reservationId, "gpt-4o-mini", "openai", "paid",
                    inputTokens, outputTokens, costUsd, 0m, 350, 200),
                InferenceEventsJsonContext.Default.UsageRecordedData),
            EventOrigin.System,
            DateTimeOffset.UtcNow);

    private string UsageStream => EventStreams.UsageOf(fixture.EventStream);

    /// <summary>Appends an event to the service's usage stream in the shape the outbox relay writes (EventStreamPublisher).</summary>
    private async Task<RedisValue> AppendAsync(SynaxisEvent @event) =>
        await Db.StreamAddAsync(UsageStream,
        [
            new NameValueEntry(EventStreamFields.Id, @event.Id.ToString()),
            new NameValueEntry(EventStreamFields.Type, @event.Type),
            new NameValueEntry(EventStreamFields.Organization, @event.OrganizationId?.ToString() ?? string.Empty),
            new NameValueEntry(EventStreamFields.Payload, @event.ToJson()),
        ]);

    /// <summary>Waits until the usage consumer group has read <paramref name="entryId"/> and acknowledged it.</summary>
    private Task WaitHandledAsync(RedisValue entryId, string what) =>
        Eventually.TrueAsync(async () =>
        {
            var groups = await Db.StreamGroupInfoAsync(UsageStream);
            var group = groups.FirstOrDefault(g => g.Name == UsageEventsHandler.ConsumerGroup);
            if (group.LastDeliveredId is not { } lastDelivered || CompareIds(lastDelivered, entryId.ToString()) < 0)
            {
                return false;
            }
            var pending = await Db.StreamPendingMessagesAsync(
                UsageStream, UsageEventsHandler.ConsumerGroup, 1, RedisValue.Null, entryId, entryId);
            return pending.Length == 0;
        }, what);

    /// <summary>Acknowledged entries were handled, not given up on: none of them is in the dead-letter stream.</summary>
    private async Task AssertNotDeadLetteredAsync(IEnumerable<RedisValue> entries)
    {
        var dead = await Db.StreamRangeAsync(EventStreams.DeadLetterOf(UsageStream));
        var deadIds = dead.Select(d => d[EventStreamFields.SourceEntryId].ToString()).ToHashSet();
        Assert.DoesNotContain(entries, e => deadIds.Contains(e.ToString()));
    }

    private async Task<LevelCounters> LevelAsync(Admitted admitted, LimitLevel level)
    {
        var id = level == LimitLevel.Organization ? admitted.OrganizationId : admitted.UserId;
        var values = await Db.HashGetAsync(AdmissionKeys.Level(admitted.OrganizationId.ToString(), level, id.ToString()),
            ["day_used", "mon_spent", "tk_d", "tk_at"]);
        return new LevelCounters(Number(values[0]), Number(values[1]), Number(values[2]), Number(values[3]));
    }

    private Task<LevelCounters> WaitForLevelAsync(Admitted admitted, LimitLevel level, Func<LevelCounters, bool> done, string what) =>
        Eventually.ResultAsync(() => LevelAsync(admitted, level), done, what);

    /// <summary>Everything the reservation and its levels hold in Redis, to compare before and after.</summary>
    private async Task<string> SnapshotAsync(Admitted admitted)
    {
        var organization = admitted.OrganizationId.ToString();
        var keys = new[]
        {
            AdmissionKeys.Reservation(organization, admitted.ReservationId),
            AdmissionKeys.Level(organization, LimitLevel.User, admitted.UserId.ToString()),
            AdmissionKeys.Level(organization, LimitLevel.Organization, organization),
        };
        var parts = new List<string>();
        foreach (var key in keys)
        {
            var hash = await HashAsync(key);
            Assert.NotEmpty(hash);
            parts.Add(key + " " + string.Join(", ", hash.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }
        return string.Join(Environment.NewLine, parts);
    }

    private async Task<Dictionary<string, string>> HashAsync(string key) =>
        (await Db.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());

    private static long? Number(RedisValue value) =>
        long.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Orders stream ids (<c>ms-seq</c>) numerically.</summary>
    private static int CompareIds(string left, string right)
    {
        static (long Ms, long Seq) Parse(string id)
        {
            var dash = id.IndexOf('-', StringComparison.Ordinal);
            return (long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture));
        }
        return Parse(left).CompareTo(Parse(right));
    }
}
