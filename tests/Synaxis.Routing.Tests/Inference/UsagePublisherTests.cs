using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using StackExchange.Redis;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Inference;
using Synaxis.Routing.Model;
using Synaxis.Routing.Tests.Infrastructure;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// <c>UsageRecorded</c> leaves the inference path through <see cref="UsagePublisher"/>'s queue: deferred by the publish
/// delay, coalesced, and never lost on a graceful stop. Real Redis; each test has its own stream, and reads it back with
/// XRANGE in the order Redis appended the entries. The events' reservation ids number them in the order recorded.
/// </summary>
public sealed class UsagePublisherTests(InfrastructureFixture infrastructure) : IClassFixture<InfrastructureFixture>, IAsyncLifetime
{
    private static readonly RouteCandidate Candidate = new(Guid.NewGuid(), null, "usage-model", "upstream-usage-model", 1m, 2m, null, [],
        new ProviderEndpoint(Guid.NewGuid(), null, "usage-provider", ProviderKinds.OpenAICompatible, new Uri("http://usage-provider/v1/"),
            null, null, false, null, null, null));

    private static readonly TimeSpan Never = TimeSpan.FromMinutes(10);

    private readonly string _stream = $"synaxis:events:test-{Guid.NewGuid():N}";
    private readonly ClaimsPrincipal _caller = new(new ClaimsIdentity(
        [new Claim(SynaxisClaims.OrganizationId, Guid.NewGuid().ToString()), new Claim(SynaxisClaims.Subject, Guid.NewGuid().ToString())], "test"));

    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.Redis.ConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Events_recorded_in_quick_succession_all_reach_the_usage_stream_in_order_each_once()
    {
        using var publisher = Publisher(TimeSpan.FromMilliseconds(50));
        await publisher.StartAsync(CancellationToken.None);
        var recorder = new UsageRecorder(publisher, TimeProvider.System);

        var expected = Enumerable.Range(0, 200).Select(i => i.ToString()).ToArray();
        foreach (var reservation in expected)
        {
            Record(recorder, reservation);
        }

        var published = await Eventually.ResultAsync(PublishedAsync, p => p.Length >= expected.Length, "all 200 events on the usage stream");
        await Task.Delay(200); // a duplicate would follow its original at once
        published = await PublishedAsync();
        Assert.Equal(expected, published.Select(p => p.Reservation));
        Assert.Equal(expected.Length, published.Select(p => p.EventId).Distinct().Count());
        await publisher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_recorded_event_is_held_for_the_publish_delay_then_reaches_the_stream()
    {
        using var publisher = Publisher(TimeSpan.FromSeconds(1));
        await publisher.StartAsync(CancellationToken.None);
        var recorder = new UsageRecorder(publisher, TimeProvider.System);

        Record(recorder, "held");
        // Read on the publisher's own connection: had Record sent its XADD, Redis would run it before this XRANGE.
        var rightAfter = await PublishedAsync();
        var later = await Eventually.ResultAsync(PublishedAsync, p => p.Length > 0, "the event on the usage stream", TimeSpan.FromSeconds(30));

        Assert.Empty(rightAfter);
        Assert.Equal("held", Assert.Single(later).Reservation);
        await publisher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task With_no_delay_events_go_out_as_soon_as_the_publisher_sees_them()
    {
        using var publisher = Publisher(TimeSpan.Zero);
        await publisher.StartAsync(CancellationToken.None);
        var recorder = new UsageRecorder(publisher, TimeProvider.System);

        Record(recorder, "0");
        Record(recorder, "1");

        var published = await Eventually.ResultAsync(PublishedAsync, p => p.Length >= 2, "both events on the usage stream", TimeSpan.FromSeconds(10));
        Assert.Equal(["0", "1"], published.Select(p => p.Reservation));
        await publisher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_graceful_stop_publishes_everything_queued_without_waiting_out_the_delay_and_later_events_go_out_directly()
    {
        using var publisher = Publisher(Never);
        await publisher.StartAsync(CancellationToken.None);
        var recorder = new UsageRecorder(publisher, TimeProvider.System);
        var expected = Enumerable.Range(0, 20).Select(i => i.ToString()).ToArray();
        foreach (var reservation in expected)
        {
            Record(recorder, reservation);
        }
        Assert.Empty(await PublishedAsync());

        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stopping = Stopwatch.StartNew();
        await publisher.StopAsync(shutdown.Token);
        stopping.Stop();

        // On the stream once StopAsync has returned: no polling.
        Assert.Equal(expected, (await PublishedAsync()).Select(p => p.Reservation));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {stopping.Elapsed}");

        // A straggler after the stop is not left in a queue nobody reads.
        Record(recorder, "late");
        await Eventually.TrueAsync(async () => (await PublishedAsync()).Any(p => p.Reservation == "late"), "the late event on the usage stream");
    }

    [Fact]
    public async Task With_the_queue_full_an_event_is_published_at_once_and_none_is_lost()
    {
        using var publisher = Publisher(Never, queueCapacity: 2);
        await publisher.StartAsync(CancellationToken.None);
        var recorder = new UsageRecorder(publisher, TimeProvider.System);

        var recording = Stopwatch.StartNew();
        foreach (var reservation in new[] { "0", "1", "2", "3", "4" })
        {
            Record(recorder, reservation);
        }
        recording.Stop();

        // The first two wait in the queue (for a delay that never ends); the rest overflowed and went out on their own.
        var overflowed = await Eventually.ResultAsync(PublishedAsync, p => p.Length >= 3, "the overflowing events on the usage stream");
        Assert.Equal(["2", "3", "4"], overflowed.Select(p => p.Reservation).Order());
        Assert.True(recording.Elapsed < TimeSpan.FromSeconds(5), $"recording took {recording.Elapsed}");

        await publisher.StopAsync(CancellationToken.None);
        Assert.Equal(["0", "1", "2", "3", "4"], (await PublishedAsync()).Select(p => p.Reservation).Order());
    }

    [Fact]
    public async Task Routing_defers_usage_by_its_configured_delay_and_publishes_it_all_when_the_host_stops()
    {
        await using var upstream = new MockUpstream();
        var routing = new KestrelServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = await infrastructure.Postgres.CreateDatabaseAsync(),
            ["ConnectionStrings:redis"] = infrastructure.Redis.ConnectionString,
            ["InternalIdentity:SigningKey"] = InferenceFixture.InternalSigningKey,
            ["Synaxis:Events:StreamName"] = _stream,
            ["Routing:SeedMockProviders"] = "true",
            ["Routing:MockProviderUrl"] = new Uri(upstream.BaseAddress, "v1/").ToString(),
            ["Routing:Usage:PublishDelay"] = Never.ToString(),
        });
        var expected = new[] { "0", "1", "2", "3", "4" };
        var stopping = new Stopwatch();
        try
        {
            using var http = routing.CreateRealClient();
            var organizationId = Guid.NewGuid();
            foreach (var reservation in expected)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
                {
                    Content = JsonContent.Create(new { model = MockCatalogSeeder.ChatModel, messages = new[] { new { role = "user", content = "hi" } } }),
                };
                request.Headers.Add(InternalIdentity.HeaderName, InferenceFixture.Sign(organizationId, Guid.NewGuid()));
                request.Headers.Add("X-Synaxis-Reservation", reservation);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }
            Assert.Empty(await PublishedAsync());
        }
        finally
        {
            stopping.Start();
            await routing.DisposeAsync(); // the host's graceful stop
            stopping.Stop();
        }

        Assert.Equal(expected, (await PublishedAsync()).Select(p => p.Reservation));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"stopping Routing took {stopping.Elapsed}");
    }

    [Fact]
    public async Task A_held_event_carries_the_answer_s_values_caller_and_time()
    {
        using var publisher = Publisher(TimeSpan.FromSeconds(1));
        await publisher.StartAsync(CancellationToken.None);
        var recorder = new UsageRecorder(publisher, TimeProvider.System);
        var (organizationId, userId, keyId, groupId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var caller = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(SynaxisClaims.OrganizationId, organizationId.ToString()), new Claim(SynaxisClaims.Subject, userId.ToString()),
            new Claim(SynaxisClaims.KeyId, keyId.ToString()), new Claim(SynaxisClaims.Groups, groupId.ToString()),
            new Claim(SynaxisClaims.RequestId, "request-9"),
        ], "test"));

        var recordedAt = DateTimeOffset.UtcNow;
        var (cost, saved) = recorder.Record(caller, new StringValues("reservation-9"), "usage-model", Candidate, [Candidate],
            new TokenUsage(1_000, 2_000), TimeSpan.FromMilliseconds(42), 200);
        var entry = Assert.Single(await Eventually.ResultAsync(
            () => _redis.GetDatabase().StreamRangeAsync(EventStreams.UsageOf(_stream)), e => e.Length > 0, "the event", TimeSpan.FromSeconds(30)));
        var publishedAfter = DateTimeOffset.UtcNow - recordedAt;

        using var json = JsonDocument.Parse((string)entry.Values.Single(v => v.Name == EventStreamFields.Payload).Value!);
        var root = json.RootElement;
        var data = root.GetProperty("data");
        Assert.True(publishedAfter >= TimeSpan.FromSeconds(0.9), $"published after {publishedAfter}, before the delay");
        // The answer's time, not the time it was published a second later.
        Assert.InRange(root.GetProperty("occurredAt").GetDateTimeOffset(), recordedAt.AddSeconds(-1), recordedAt.AddMilliseconds(500));
        Assert.Equal(organizationId, root.GetProperty("organizationId").GetGuid());
        Assert.Equal(("key", keyId, "request-9"),
            (root.GetProperty("actorType").GetString(), root.GetProperty("actorId").GetGuid(), root.GetProperty("requestId").GetString()));
        Assert.Equal((userId, groupId, keyId, "reservation-9"),
            (data.GetProperty("userId").GetGuid(), data.GetProperty("groupId").GetGuid(), data.GetProperty("keyId").GetGuid(),
             data.GetProperty("reservationId").GetString()));
        Assert.Equal(("usage-model", "usage-provider", "paid", 1_000L, 2_000L, 42L, 200),
            (data.GetProperty("model").GetString(), data.GetProperty("provider").GetString(), data.GetProperty("providerTier").GetString(),
             data.GetProperty("inputTokens").GetInt64(), data.GetProperty("outputTokens").GetInt64(), data.GetProperty("latencyMs").GetInt64(),
             data.GetProperty("statusCode").GetInt32()));
        Assert.Equal((cost, saved), (data.GetProperty("costUsd").GetDecimal(), data.GetProperty("moneySavedUsd").GetDecimal()));
        Assert.Equal(0.005m, cost); // 1,000 × $1/M + 2,000 × $2/M
        await publisher.StopAsync(CancellationToken.None);
    }

    private UsagePublisher Publisher(TimeSpan delay, int queueCapacity = 100_000) => new(
        new EventStreamPublisher(_redis, Options.Create(new EventOptions { StreamName = _stream })),
        Options.Create(new UsageOptions { PublishDelay = delay, QueueCapacity = queueCapacity }),
        TimeProvider.System,
        NullLogger<UsagePublisher>.Instance);

    private void Record(UsageRecorder recorder, string reservation) => recorder.Record(_caller, new StringValues(reservation), "usage-model",
        Candidate, [Candidate], new TokenUsage(10, 20), TimeSpan.FromMilliseconds(5), 200);

    /// <summary>The usage stream's events in stream order: their ids and reservations.</summary>
    private async Task<(Guid EventId, string? Reservation)[]> PublishedAsync()
    {
        var entries = await _redis.GetDatabase().StreamRangeAsync(EventStreams.UsageOf(_stream));
        return [.. entries.Select(entry =>
        {
            using var json = JsonDocument.Parse((string)entry.Values.Single(v => v.Name == EventStreamFields.Payload).Value!);
            Assert.Equal(UsageRecordedData.EventType, json.RootElement.GetProperty("type").GetString());
            return (json.RootElement.GetProperty("id").GetGuid(), json.RootElement.GetProperty("data").GetProperty("reservationId").GetString());
        })];
    }
}
