using System.Collections.Concurrent;
using System.Diagnostics;
using StackExchange.Redis;
using Synaxis.ServiceKit.Events;
using Synaxis.Testing;
using Xunit.Abstractions;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>Each event takes effect once per consumer group: across instances, redeliveries, failures and dead consumers.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class EventConsumerTests(InfrastructureFixture infrastructure, ITestOutputHelper output) : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    private IDatabase Redis => _redis.GetDatabase();

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.Redis.ConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Each_event_is_handled_once_per_group_and_every_group_gets_it()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await using var producer = await StartAsync(stream.Stream, relay: true);
        // "audit" runs two instances over one database; "keys" is another service with its own.
        var auditDatabase = await EventsTestService.CreateDatabaseAsync(infrastructure);
        await using var audit1 = await StartAsync(stream.Stream, groups: ["audit"], database: auditDatabase);
        await using var audit2 = await StartAsync(stream.Stream, groups: ["audit"], database: auditDatabase);
        await using var keys = await StartAsync(stream.Stream, groups: ["keys"]);

        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await producer.WriteEventAsync()).Id);
        }

        await Eventually.TrueAsync(async () => (await audit1.HandledAsync()).Count >= 20 && (await keys.HandledAsync()).Count >= 20, "both groups handling every event");
        await Eventually.TrueAsync(async () => await stream.DrainedAsync("audit") && await stream.DrainedAsync("keys"), "both groups drained");
        foreach (var service in new[] { audit1, keys })
        {
            var handled = await service.HandledAsync();
            Assert.Equal(ids.Order(), handled.Select(h => h.EventId).Order());
            Assert.Equal(ids.Order(), (await service.ProcessedAsync()).Select(p => p.EventId).Order());
        }
        Assert.All(ids, id => Assert.Equal(1, audit1.Probe.AttemptsFor(id) + audit2.Probe.AttemptsFor(id)));
        Assert.All(ids, id => Assert.Equal(1, keys.Probe.AttemptsFor(id)));
    }

    [Fact]
    public async Task A_duplicate_delivery_is_skipped_via_processed_events()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        var @event = SynaxisEvent.Create("WidgetCreated", null, TestData.Of("dup"), EventOrigin.System, DateTimeOffset.UtcNow);
        // The same event twice in the stream, as a second publisher bypassing the marker would leave it.
        await AddRawAsync(stream.Stream, @event);
        await AddRawAsync(stream.Stream, @event);

        await using var consumer = await StartAsync(stream.Stream, groups: ["keys"]);

        await Eventually.TrueAsync(() => stream.DrainedAsync("keys"), "both entries acknowledged");
        Assert.Equal(2, await stream.CountAsync(@event.Id));
        Assert.Equal(1, consumer.Probe.AttemptsFor(@event.Id));
        Assert.Single(await consumer.HandledAsync());
        Assert.Equal([(@event.Id, "keys")], (await consumer.ProcessedAsync()).Select(p => (p.EventId, p.ConsumerGroup)));
    }

    [Fact]
    public async Task A_failing_handler_leaves_the_entry_pending_and_it_is_retried_until_it_succeeds()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await using var consumer = await StartAsync(stream.Stream, groups: ["keys"], settings: new()
        {
            [nameof(EventOptions.ClaimMinIdle)] = EventsTestService.Milliseconds(200),
            [nameof(EventOptions.MaxDeliveries)] = "1000",
        });
        var failing = true;
        consumer.Probe.ShouldFail = (_, _) => Volatile.Read(ref failing);
        var @event = SynaxisEvent.Create("WidgetCreated", null, TestData.Of("retry"), EventOrigin.System, DateTimeOffset.UtcNow);
        await AddRawAsync(stream.Stream, @event);

        // Failing: delivered again and again, never acknowledged, and its writes rolled back each time.
        await Eventually.TrueAsync(() => Task.FromResult(consumer.Probe.AttemptsFor(@event.Id) >= 3), "three failed attempts");
        Assert.Equal(1, await stream.PendingAsync("keys"));
        Assert.Empty(await consumer.HandledAsync());
        Assert.Empty(await consumer.ProcessedAsync());

        Volatile.Write(ref failing, false);

        await Eventually.TrueAsync(() => stream.DrainedAsync("keys"), "the entry acknowledged once handled");
        var handled = Assert.Single(await consumer.HandledAsync());
        Assert.Equal(consumer.Probe.AttemptsFor(@event.Id), handled.Attempt);
        Assert.Single(await consumer.ProcessedAsync());
        Assert.Empty(await stream.DeadLettersAsync());
    }

    [Fact]
    public async Task After_max_deliveries_the_entry_goes_to_the_dead_letter_stream()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await using var consumer = await StartAsync(stream.Stream, groups: ["keys"], settings: new()
        {
            [nameof(EventOptions.ClaimMinIdle)] = EventsTestService.Milliseconds(100),
            [nameof(EventOptions.MaxDeliveries)] = "3",
        });
        consumer.Probe.ShouldFail = (_, _) => true;
        var @event = SynaxisEvent.Create("WidgetCreated", null, TestData.Of("poison"), EventOrigin.System, DateTimeOffset.UtcNow);
        var entryId = await AddRawAsync(stream.Stream, @event);

        var dead = await Eventually.MatchesAsync(stream.DeadLettersAsync, d => d.Length > 0, "a dead letter");

        var letter = Assert.Single(dead);
        Assert.Equal(@event.Id.ToString(), (string?)letter[EventStreamFields.Id]);
        Assert.Equal(@event.Id, SynaxisEvent.FromJson(letter[EventStreamFields.Payload].ToString()).Id);
        Assert.Equal(entryId.ToString(), (string?)letter[EventStreamFields.SourceEntryId]);
        Assert.Equal("keys", (string?)letter[EventStreamFields.ConsumerGroup]);
        Assert.Equal("3", (string?)letter[EventStreamFields.Deliveries]);
        Assert.Contains("boom on attempt 3", (string?)letter[EventStreamFields.Error]);
        Assert.Equal(3, consumer.Probe.AttemptsFor(@event.Id));
        Assert.True(await stream.DrainedAsync("keys"));
        Assert.Empty(await consumer.HandledAsync());
        Assert.Empty(await consumer.ProcessedAsync());
    }

    [Fact]
    public async Task An_entry_that_is_not_an_event_is_dead_lettered_at_once()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await Redis.StreamAddAsync(stream.Stream, [new(EventStreamFields.Id, "x"), new(EventStreamFields.Payload, "not json")]);

        await using var consumer = await StartAsync(stream.Stream, groups: ["keys"]);

        var letter = Assert.Single(await Eventually.MatchesAsync(stream.DeadLettersAsync, d => d.Length > 0, "a dead letter"));
        Assert.Equal("not json", (string?)letter[EventStreamFields.Payload]);
        Assert.Equal("1", (string?)letter[EventStreamFields.Deliveries]);
        Assert.True(await stream.DrainedAsync("keys"));
        Assert.Equal(0, consumer.Probe.TotalAttempts);
    }

    [Fact]
    public async Task A_pending_entry_of_a_dead_consumer_is_reclaimed_and_handled_by_another()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await Redis.StreamCreateConsumerGroupAsync(stream.Stream, "keys", "0", createStream: true);
        var @event = SynaxisEvent.Create("WidgetCreated", null, TestData.Of("orphan"), EventOrigin.System, DateTimeOffset.UtcNow);
        await AddRawAsync(stream.Stream, @event);
        // A consumer that read the entry and died before acknowledging it.
        var taken = await Redis.StreamReadGroupAsync(stream.Stream, "keys", "dead-consumer", StreamPosition.NewMessages, 10);
        Assert.Single(taken);
        var pending = await Redis.StreamPendingAsync(stream.Stream, "keys");
        Assert.Equal(("dead-consumer", 1), (pending.Consumers.Single().Name.ToString(), pending.Consumers.Single().PendingMessageCount));

        await using var survivor = await StartAsync(stream.Stream, groups: ["keys"], settings: new()
        {
            [nameof(EventOptions.ClaimMinIdle)] = EventsTestService.Milliseconds(500),
        });

        await Eventually.TrueAsync(() => stream.DrainedAsync("keys"), "the orphaned entry handled and acknowledged");
        Assert.Equal(1, survivor.Probe.AttemptsFor(@event.Id));
        Assert.Equal(@event.Id, Assert.Single(await survivor.HandledAsync()).EventId);
    }

    [Fact]
    public async Task Events_the_handler_does_not_want_are_acknowledged_without_a_transaction()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await using var consumer = await StartAsync(stream.Stream, groups: ["keys"]);
        consumer.Probe.Handles = type => type == "WidgetCreated";
        var unwanted = SynaxisEvent.Create("SomethingElse", null, TestData.Of("x"), EventOrigin.System, DateTimeOffset.UtcNow);
        var wanted = SynaxisEvent.Create("WidgetCreated", null, TestData.Of("y"), EventOrigin.System, DateTimeOffset.UtcNow);
        await AddRawAsync(stream.Stream, unwanted);
        await AddRawAsync(stream.Stream, wanted);

        await Eventually.TrueAsync(() => stream.DrainedAsync("keys"), "both entries acknowledged");
        Assert.Equal(0, consumer.Probe.AttemptsFor(unwanted.Id));
        Assert.Equal([wanted.Id], (await consumer.HandledAsync()).Select(h => h.EventId));
        Assert.Equal([wanted.Id], (await consumer.ProcessedAsync()).Select(p => p.EventId));
    }

    [Fact]
    public async Task A_busy_stream_of_ignored_types_asks_the_handler_once_per_type_and_leaves_nothing_pending()
    {
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await using var consumer = await StartAsync(stream.Stream, groups: ["keys"]);
        var asked = new ConcurrentDictionary<string, int>();
        consumer.Probe.Handles = type =>
        {
            asked.AddOrUpdate(type, 1, (_, count) => count + 1);
            return type == "WidgetCreated";
        };
        var ignored = new List<Guid>();
        for (var i = 0; i < 120; i++)
        {
            var @event = SynaxisEvent.Create(i % 2 == 0 ? "UsageRecorded" : "ProviderHealthChanged", null, TestData.Of($"n{i}"),
                EventOrigin.System, DateTimeOffset.UtcNow);
            ignored.Add(@event.Id);
            await AddRawAsync(stream.Stream, @event);
        }
        var wanted = SynaxisEvent.Create("WidgetCreated", null, TestData.Of("w"), EventOrigin.System, DateTimeOffset.UtcNow);
        await AddRawAsync(stream.Stream, wanted);

        await Eventually.TrueAsync(() => stream.DrainedAsync("keys"), "every entry acknowledged");
        Assert.Equal(1, asked["UsageRecorded"]);
        Assert.Equal(1, asked["ProviderHealthChanged"]);
        Assert.All(ignored, id => Assert.Equal(0, consumer.Probe.AttemptsFor(id)));
        Assert.Equal([wanted.Id], (await consumer.ProcessedAsync()).Select(p => p.EventId));
    }

    [Fact]
    public async Task The_handle_span_continues_the_trace_of_the_request_that_wrote_the_event()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var stream = new StreamProbe(Redis, EventsTestService.NewStreamName());
        await using var producer = await StartAsync(stream.Stream, relay: true);
        await using var consumer = await StartAsync(stream.Stream, groups: ["audit"]);

        SynaxisEvent @event;
        ActivityTraceId traceId;
        using (var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceId = request.TraceId;
            @event = await producer.WriteEventAsync();
        }

        var handle = await Eventually.MatchesAsync(
            () => Task.FromResult(spans.FirstOrDefault(s => s.OperationName == "handle WidgetCreated" && s.TraceId == traceId)),
            s => s is not null, "a handle span in the request's trace");
        var publish = spans.Single(s => s.OperationName == "publish WidgetCreated" && s.TraceId == traceId);
        Assert.Equal(publish.SpanId, handle!.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(ActivityKind.Consumer, handle.Kind);
        Assert.Equal(@event.Id.ToString(), handle.GetTagItem("messaging.message.id"));
        Assert.Equal("audit", handle.GetTagItem("messaging.consumer.group.name"));
    }

    private async Task<EventsTestService> StartAsync(
        string stream, bool relay = false, string[]? groups = null, Dictionary<string, string>? settings = null, string? database = null) =>
        await EventsTestService.StartAsync(infrastructure, new EventsTestServiceOptions
        {
            ConnectionString = database ?? await EventsTestService.CreateDatabaseAsync(infrastructure),
            Stream = stream,
            Relay = relay,
            ConsumerGroups = groups ?? [],
            Settings = settings ?? [],
        }, output);

    /// <summary>Appends an entry shaped as the relay writes it, bypassing the publish-once marker.</summary>
    private Task<RedisValue> AddRawAsync(string stream, SynaxisEvent @event) =>
        Redis.StreamAddAsync(stream,
        [
            new(EventStreamFields.Id, @event.Id.ToString()),
            new(EventStreamFields.Type, @event.Type),
            new(EventStreamFields.Organization, @event.OrganizationId?.ToString() ?? string.Empty),
            new(EventStreamFields.Payload, @event.ToJson()),
        ]);
}
