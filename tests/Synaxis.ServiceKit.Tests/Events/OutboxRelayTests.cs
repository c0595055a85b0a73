using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Events;
using Synaxis.Testing;
using Xunit.Abstractions;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>Every outbox row reaches the stream exactly once: across crashes, concurrent relays and Redis outages.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class OutboxRelayTests(InfrastructureFixture infrastructure, ITestOutputHelper output) : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.Redis.ConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task A_relay_that_died_after_xadd_but_before_marking_does_not_publish_twice()
    {
        var database = await EventsTestService.CreateDatabaseAsync(infrastructure);
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        SynaxisEvent @event;
        // The "crashed" instance: it appended the event to the stream and never marked its row.
        await using (var crashed = await StartAsync(database, stream.Stream, relay: false))
        {
            @event = await crashed.WriteEventAsync();
            var row = (await crashed.OutboxAsync()).Single();
            var publisher = crashed.Services.GetRequiredService<EventStreamPublisher>();
            Assert.True(await publisher.PublishAsync(row, CancellationToken.None));
            Assert.False(await publisher.PublishAsync(row, CancellationToken.None));
        }
        Assert.Null((await ReadOutboxAsync(database)).Single().PublishedAt);
        Assert.Equal(1, await stream.CountAsync(@event.Id));

        await using var restarted = await StartAsync(database, stream.Stream, relay: true);

        var marked = await Eventually.MatchesAsync(
            async () => (await ReadOutboxAsync(database)).Single(), r => r.PublishedAt is not null, "the row marked published");
        Assert.Equal(1, marked.Attempts);
        Assert.Equal(1, await stream.CountAsync(@event.Id));
        Assert.Single(await stream.EntriesAsync());
    }

    [Fact]
    public async Task Two_relays_over_one_outbox_publish_each_row_once()
    {
        var database = await EventsTestService.CreateDatabaseAsync(infrastructure);
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        var ids = await WriteEventsAsync(database, 300);
        var settings = new Dictionary<string, string> { [nameof(EventOptions.RelayBatchSize)] = "10" };

        var relays = await Task.WhenAll(
            StartAsync(database, stream.Stream, relay: true, settings),
            StartAsync(database, stream.Stream, relay: true, settings));
        try
        {
            await Eventually.TrueAsync(async () => (await ReadOutboxAsync(database)).All(r => r.PublishedAt is not null), "every row published");

            var counts = await stream.CountsByEventAsync();
            Assert.Equal(ids.Order(), counts.Keys.Order());
            Assert.All(counts.Values, count => Assert.Equal(1, count));
            // SKIP LOCKED split the rows: no row was even attempted by both relays.
            Assert.All(await ReadOutboxAsync(database), row => Assert.Equal(1, row.Attempts));
        }
        finally
        {
            foreach (var relay in relays)
            {
                await relay.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task One_relay_publishes_oldest_first()
    {
        var database = await EventsTestService.CreateDatabaseAsync(infrastructure);
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        // Written newest first, so insertion order and id order both disagree with age.
        var start = DateTimeOffset.UtcNow;
        var oldestFirst = new List<Guid>();
        await using (var db = EventsTestDbContext.Open(database))
        {
            for (var i = 24; i >= 0; i--)
            {
                var @event = db.AddEvent(SynaxisEvent.Create("Numbered", null, TestData.Of($"{i}"), EventOrigin.System, start.AddMilliseconds(i)));
                oldestFirst.Insert(0, @event.Id);
            }
            await db.SaveChangesAsync();
        }

        await using var relay = await StartAsync(database, stream.Stream, relay: true, new() { [nameof(EventOptions.RelayBatchSize)] = "7" });

        var entries = await Eventually.MatchesAsync(stream.EntriesAsync, e => e.Length == 25, "all 25 events in the stream");
        Assert.Equal(oldestFirst, entries.Select(e => Guid.Parse(e[EventStreamFields.Id].ToString())));
    }

    [Fact]
    public async Task The_stream_is_capped_approximately()
    {
        var database = await EventsTestService.CreateDatabaseAsync(infrastructure);
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        await WriteEventsAsync(database, 600);

        await using var relay = await StartAsync(database, stream.Stream, relay: true, new() { [nameof(EventOptions.StreamMaxLength)] = "50" });

        await Eventually.TrueAsync(async () => (await ReadOutboxAsync(database)).All(r => r.PublishedAt is not null), "every row published");
        // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), so the length is near, not at, the cap.
        var length = await _redis.GetDatabase().StreamLengthAsync(stream.Stream);
        Assert.InRange(length, 50, 250);
    }

    [Fact]
    public async Task While_redis_is_unreachable_rows_stay_unpublished_and_go_out_once_it_is_back()
    {
        var database = await EventsTestService.CreateDatabaseAsync(infrastructure);
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        await using var gate = new TcpGate(infrastructure.Redis.Port);
        var redisThroughGate = ConfigurationOptions.Parse($"127.0.0.1:{gate.Port},password={infrastructure.Redis.Password}");
        redisThroughGate.AbortOnConnectFail = false;
        redisThroughGate.ConnectTimeout = 500;
        redisThroughGate.AsyncTimeout = 2000;
        redisThroughGate.BacklogPolicy = BacklogPolicy.FailFast;
        redisThroughGate.ReconnectRetryPolicy = new LinearRetry(100);
        redisThroughGate.HeartbeatInterval = TimeSpan.FromMilliseconds(200);

        await using var relay = await StartAsync(database, stream.Stream, relay: true, redis: redisThroughGate);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await relay.WriteEventAsync()).Id);
        }

        // The relay keeps trying (the oldest row's attempts grow), publishes nothing and stays up.
        await Eventually.TrueAsync(async () => (await ReadOutboxAsync(database)).Max(r => r.Attempts) >= 3, "repeated publish attempts");
        Assert.All(await ReadOutboxAsync(database), row => Assert.Null(row.PublishedAt));
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(stream.Stream));
        Assert.False(relay.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);

        gate.Open();

        await Eventually.TrueAsync(async () => (await ReadOutboxAsync(database)).All(r => r.PublishedAt is not null), "every row published after Redis returned");
        var counts = await stream.CountsByEventAsync();
        Assert.Equal(ids.Order(), counts.Keys.Order());
        Assert.All(counts.Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task A_commit_in_this_process_wakes_the_relay_without_waiting_for_its_poll()
    {
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        // An hour between polls: within the test's timeout only the commit signal can wake the relay.
        await using var relay = await StartAsync(await EventsTestService.CreateDatabaseAsync(infrastructure), stream.Stream, relay: true,
            new() { [nameof(EventOptions.RelayPollInterval)] = "01:00:00" });
        var first = await relay.WriteEventAsync();
        await Eventually.TrueAsync(async () => await stream.CountAsync(first.Id) == 1, "the first event (startup poll or signal)");

        // SaveChanges committing its own transaction.
        var second = await relay.WriteEventAsync();
        await Eventually.TrueAsync(async () => await stream.CountAsync(second.Id) == 1, "an event saved without a transaction");

        // The caller's transaction: the signal waits for its commit.
        var third = await relay.InScopeAsync(async (db, services) =>
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                var @event = services.GetRequiredService<IEventOutbox>().Add(db, "WidgetCreated", null, TestData.Of("tx"));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
                return @event;
            }));
        await Eventually.TrueAsync(async () => await stream.CountAsync(third.Id) == 1, "an event committed in an explicit transaction");
    }

    [Fact]
    public async Task The_relay_may_be_registered_before_the_db_context()
    {
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        await using var relay = await EventsTestService.StartAsync(infrastructure, new EventsTestServiceOptions
        {
            ConnectionString = await EventsTestService.CreateDatabaseAsync(infrastructure),
            Stream = stream.Stream,
            Relay = true,
            EventsBeforeDbContext = true,
            Settings = new Dictionary<string, string> { [nameof(EventOptions.RelayPollInterval)] = "01:00:00" },
        }, output);

        var first = await relay.WriteEventAsync();
        await Eventually.TrueAsync(async () => await stream.CountAsync(first.Id) == 1, "the first event");
        // Published within the timeout only if the commit signal is wired into the context.
        var second = await relay.WriteEventAsync();
        await Eventually.TrueAsync(async () => await stream.CountAsync(second.Id) == 1, "the second event");
    }

    [Fact]
    public async Task Invalid_settings_fail_the_host_at_startup()
    {
        var database = await EventsTestService.CreateDatabaseAsync(infrastructure);

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(database, EventsTestService.NewStreamName(), relay: true, new()
        {
            [nameof(EventOptions.MaxDeliveries)] = "0",
            [nameof(EventOptions.RelayBatchSize)] = "-1",
        }));

        Assert.Contains(failure.Failures, f => f.Contains(nameof(EventOptions.MaxDeliveries), StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains(nameof(EventOptions.RelayBatchSize), StringComparison.Ordinal));
    }

    private async Task<EventsTestService> StartAsync(
        string database, string stream, bool relay, Dictionary<string, string>? settings = null, ConfigurationOptions? redis = null) =>
        await EventsTestService.StartAsync(infrastructure, new EventsTestServiceOptions
        {
            ConnectionString = database,
            Stream = stream,
            Relay = relay,
            Redis = redis,
            Settings = settings ?? [],
        }, output);

    private static async Task<List<Guid>> WriteEventsAsync(string database, int count)
    {
        await using var db = EventsTestDbContext.Open(database);
        var ids = Enumerable.Range(0, count)
            .Select(i => db.AddEvent("Numbered", null, TestData.Of($"{i}"), EventOrigin.System).Id)
            .ToList();
        await db.SaveChangesAsync();
        return ids;
    }

    private static async Task<List<Synaxis.ServiceKit.Data.OutboxMessage>> ReadOutboxAsync(string database)
    {
        await using var db = EventsTestDbContext.Open(database);
        return await db.Outbox.AsNoTracking().ToListAsync();
    }
}
