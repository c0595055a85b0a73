extern alias keys;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.ApiKeys;

/// <summary>
/// The real Keys service on its own PostgreSQL database and a Redis, the echo backend as every other service, and two
/// gateways on that Redis which find Keys through service discovery (<c>services:keys:http:0</c>) for both its
/// <c>/api/keys</c> route and its verify endpoint. Each gateway records the Redis keys it touches
/// (<see cref="CountingRedisGateway"/>), and Keys counts (and times) the verify calls it receives per key id.
/// </summary>
public sealed class RealKeysFixture : IAsyncLifetime
{
    private readonly InfrastructureFixture _infrastructure = new();

    public CountingKeysService Keys { get; private set; } = null!;

    public EchoBackend Backend { get; private set; } = null!;

    public CountingRedisGateway FirstGateway { get; private set; } = null!;

    public CountingRedisGateway SecondGateway { get; private set; } = null!;

    /// <summary>A connection of the test's own, to watch the eviction channel.</summary>
    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        var database = await _infrastructure.Postgres.CreateDatabaseAsync();
        var redis = _infrastructure.Redis.ConnectionString;
        Backend = await EchoBackend.StartAsync();
        Redis = await ConnectionMultiplexer.ConnectAsync(redis);

        Keys = new CountingKeysService(new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = database,
            ["ConnectionStrings:redis"] = redis,
            ["InternalIdentity:SigningKey"] = TestTokens.InternalKey,
            // This run's own stream: no other run's events reach this Keys.
            ["Synaxis:Events:StreamName"] = $"synaxis:events:test-{Guid.NewGuid():N}",
        });
        _ = Keys.BaseAddress; // migrates before any gateway starts

        var gateway = GatewayFixture.Settings(Backend.BaseAddress);
        gateway["ConnectionStrings:redis"] = redis;
        gateway["services:keys:http:0"] = Keys.BaseAddress.ToString();
        // Undo the echo backend for Keys: the route's cluster resolves the same name as the verify client.
        gateway["ReverseProxy:Clusters:keys:Destinations:keys:Address"] = "http://keys";
        FirstGateway = new CountingRedisGateway(gateway, redis);
        _ = FirstGateway.BaseAddress;
        SecondGateway = new CountingRedisGateway(gateway, redis);
        _ = SecondGateway.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new IAsyncDisposable?[] { SecondGateway, FirstGateway, Keys, Backend })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
        await _infrastructure.DisposeAsync();
    }
}

/// <summary>
/// The real Keys service on Kestrel, recording how long each <c>POST /internal/keys/verify</c> call it receives took
/// (each one is a bcrypt), per key id: the service itself is unchanged, a startup filter reads the request ahead of it.
/// </summary>
public sealed class CountingKeysService(IReadOnlyDictionary<string, string?> settings)
    : KestrelServiceFactory<keys::Program>(settings)
{
    private readonly VerifyCalls _verifyCalls = new();

    /// <summary>Verify calls for the id that reached Keys (counted as they arrive, before Keys answers).</summary>
    public int VerifyCallsFor(string keyId) => _verifyCalls.Started.TryGetValue(keyId, out var calls) ? calls : 0;

    /// <summary>How long Keys took to answer each verify call for the id, in the order they finished.</summary>
    public IReadOnlyList<TimeSpan> VerifyDurationsFor(string keyId) =>
        _verifyCalls.Durations.TryGetValue(keyId, out var durations) ? [.. durations] : [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new VerifyCallCounter(_verifyCalls)));
    }

    private sealed class VerifyCalls
    {
        public ConcurrentDictionary<string, int> Started { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>> Durations { get; } = new(StringComparer.Ordinal);
    }

    private sealed class VerifyCallCounter(VerifyCalls calls) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, proceed) =>
            {
                if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != "/internal/keys/verify")
                {
                    await proceed(context);
                    return;
                }
                var started = Stopwatch.GetTimestamp();
                context.Request.EnableBuffering();
                var keyId = await ReadKeyIdAsync(context.Request);
                context.Request.Body.Position = 0;
                calls.Started.AddOrUpdate(keyId, 1, (_, count) => count + 1);
                try
                {
                    await proceed(context);
                }
                finally
                {
                    calls.Durations.GetOrAdd(keyId, _ => new ConcurrentQueue<TimeSpan>()).Enqueue(Stopwatch.GetElapsedTime(started));
                }
            });
            next(app);
        };

        private static async Task<string> ReadKeyIdAsync(HttpRequest request)
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                return body.RootElement.TryGetProperty("key", out var key) && key.GetString() is { } text
                    && ApiKeyFormat.TryParse(text, out var id)
                        ? id.ToString()
                        : "";
            }
            catch (JsonException)
            {
                return "";
            }
        }
    }
}

/// <summary>
/// Runs alone, after the parallel collections: it times a one-second bound on a machine with few cores, and the other
/// collections' load must not be what decides it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealKeysCollection : ICollectionFixture<RealKeysFixture>
{
    public const string Name = "Two gateways in front of the real Keys service (not in parallel)";
}
