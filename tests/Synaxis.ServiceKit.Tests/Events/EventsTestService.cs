using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.Testing;
using Xunit.Abstractions;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>What one test service instance runs.</summary>
internal sealed record EventsTestServiceOptions
{
    public required string ConnectionString { get; init; }

    public required string Stream { get; init; }

    /// <summary>Redis as the host sees it (defaults to the shared test server).</summary>
    public ConfigurationOptions? Redis { get; init; }

    public bool Relay { get; init; }

    public IReadOnlyList<string> ConsumerGroups { get; init; } = [];

    /// <summary><c>Synaxis:Events:*</c> settings on top of the fast test defaults.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public bool Start { get; init; } = true;

    /// <summary>Register the event library before the DbContext (services may call them in either order).</summary>
    public bool EventsBeforeDbContext { get; init; }
}

/// <summary>
/// One "service": a generic host wired the way a Synaxis service is (Aspire's pooled, retrying
/// Npgsql DbContext, a Redis multiplexer, the event library) over a test database and stream.
/// </summary>
internal sealed class EventsTestService : IAsyncDisposable
{
    // Fast polls so tests finish quickly; ClaimMinIdle stays long unless a test is about retries.
    private static readonly Dictionary<string, string> TestDefaults = new()
    {
        [nameof(EventOptions.RelayPollInterval)] = "00:00:00.05",
        [nameof(EventOptions.RelayMaxBackoff)] = "00:00:00.5",
        [nameof(EventOptions.ConsumerPollInterval)] = "00:00:00.05",
        [nameof(EventOptions.ConsumerMaxBackoff)] = "00:00:00.5",
        [nameof(EventOptions.ClaimInterval)] = "00:00:00.1",
    };

    private readonly IConnectionMultiplexer _redis;

    private EventsTestService(IHost host, IConnectionMultiplexer redis, string connectionString)
    {
        Host = host;
        _redis = redis;
        ConnectionString = connectionString;
    }

    public IHost Host { get; }

    public string ConnectionString { get; }

    public HandlerProbe Probe => Host.Services.GetRequiredService<HandlerProbe>();

    public IServiceProvider Services => Host.Services;

    /// <summary>A fresh database with the test model.</summary>
    public static async Task<string> CreateDatabaseAsync(InfrastructureFixture infrastructure)
    {
        var connectionString = await infrastructure.Postgres.CreateDatabaseAsync();
        await using var db = EventsTestDbContext.Open(connectionString);
        await db.Database.EnsureCreatedAsync();
        return connectionString;
    }

    public static string NewStreamName() => $"test:events:{Guid.NewGuid():N}";

    public static async Task<EventsTestService> StartAsync(
        InfrastructureFixture infrastructure, EventsTestServiceOptions options, ITestOutputHelper? output = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // Development: the container validates scopes, as a service run locally would.
            EnvironmentName = Environments.Development,
            ApplicationName = "Synaxis.ServiceKit.Tests",
        });
        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ServiceDataExtensions.DatabaseConnectionName}"] = options.ConnectionString,
            [$"{EventOptions.SectionName}:{nameof(EventOptions.StreamName)}"] = options.Stream,
        };
        foreach (var (key, value) in TestDefaults.Concat(options.Settings))
        {
            settings[$"{EventOptions.SectionName}:{key}"] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (output is not null)
        {
            builder.Logging.AddProvider(new XunitLoggerProvider(output));
        }
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        if (!options.EventsBeforeDbContext)
        {
            builder.AddNpgsqlDbContext<EventsTestDbContext>(ServiceDataExtensions.DatabaseConnectionName);
        }
        var redisOptions = options.Redis ?? ConfigurationOptions.Parse(infrastructure.Redis.ConnectionString);
        var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
        builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
        builder.Services.AddSingleton<HandlerProbe>();

        if (options.Relay)
        {
            builder.Services.AddOutboxRelay<EventsTestDbContext>();
        }
        else
        {
            builder.Services.AddEventOutbox();
        }
        foreach (var group in options.ConsumerGroups)
        {
            builder.Services.AddEventConsumer<EventsTestDbContext, RecordingHandler>(group);
        }

        if (options.EventsBeforeDbContext)
        {
            builder.AddNpgsqlDbContext<EventsTestDbContext>(ServiceDataExtensions.DatabaseConnectionName);
        }

        var service = new EventsTestService(builder.Build(), redis, options.ConnectionString);
        try
        {
            if (options.Start)
            {
                await service.Host.StartAsync();
            }
            return service;
        }
        catch
        {
            // A host that failed to start cannot be stopped, only disposed.
            service.Host.Dispose();
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> with a DbContext from a fresh scope of the host, as a request would.</summary>
    public async Task<T> InScopeAsync<T>(Func<EventsTestDbContext, IServiceProvider, Task<T>> work)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<EventsTestDbContext>(), scope.ServiceProvider);
    }

    /// <summary>Writes one event (and nothing else) the way a service's endpoint would.</summary>
    public Task<SynaxisEvent> WriteEventAsync(string type = "WidgetCreated", Guid? organizationId = null) =>
        InScopeAsync(async (db, services) =>
        {
            var @event = services.GetRequiredService<IEventOutbox>()
                .Add(db, type, organizationId, TestData.Of(type), EventOrigin.System);
            await db.SaveChangesAsync();
            return @event;
        });

    public async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var db = EventsTestDbContext.Open(ConnectionString);
        return await db.Outbox.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync();
    }

    public async Task<List<HandledEvent>> HandledAsync()
    {
        await using var db = EventsTestDbContext.Open(ConnectionString);
        return await db.HandledEvents.AsNoTracking().ToListAsync();
    }

    public async Task<List<ProcessedEvent>> ProcessedAsync()
    {
        await using var db = EventsTestDbContext.Open(ConnectionString);
        return await db.ProcessedEvents.AsNoTracking().ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync();
        }
        finally
        {
            Host.Dispose();
            await _redis.DisposeAsync();
        }
    }

    public static string Milliseconds(int value) => TimeSpan.FromMilliseconds(value).ToString("c", CultureInfo.InvariantCulture);
}

internal static class TestData
{
    public static System.Text.Json.JsonElement Of(string label) =>
        System.Text.Json.JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["label"] = label });
}
