using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.Keys.Infrastructure;
using Synaxis.Testing;

namespace Synaxis.Keys.Tests;

/// <summary>
/// The Keys service on real Kestrel, against a throwaway PostgreSQL database and Redis, started once for
/// the test assembly, on its own event stream. Tests stay independent by using fresh organization and user ids.
/// </summary>
public sealed class KeysServiceFixture : IAsyncLifetime
{
    public const string InternalSigningKey = "test-internal-identity-key-0123456789-abcdefghij";

    private readonly InfrastructureFixture _infrastructure = new();

    public KestrelServiceFactory<Program> Service { get; private set; } = null!;

    public string DatabaseConnectionString { get; private set; } = null!;

    public string RedisConnectionString => _infrastructure.Redis.ConnectionString;

    /// <summary>This run's event stream, so nothing else's events (or earlier runs') reach the service.</summary>
    public string EventStream { get; } = $"synaxis:events:test-{Guid.NewGuid():N}";

    /// <summary>A connection of the test's own, to look at and subscribe to what the service does in Redis.</summary>
    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        DatabaseConnectionString = await _infrastructure.Postgres.CreateDatabaseAsync();
        Redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionString);
        Service = new KestrelServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = DatabaseConnectionString,
            ["ConnectionStrings:redis"] = RedisConnectionString,
            ["InternalIdentity:SigningKey"] = InternalSigningKey,
            ["Synaxis:Events:StreamName"] = EventStream,
            ["Keys:LastUsedDrainInterval"] = "00:00:01",
            ["Keys:ExpirySweepInterval"] = "00:00:01",
        });
        _ = Service.BaseAddress; // start now: migrations run once, before any test
    }

    /// <summary>Runs <paramref name="work"/> with the service's own DbContext (a fresh scope).</summary>
    public async Task<T> WithDbAsync<T>(Func<KeysDbContext, Task<T>> work)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<KeysDbContext>());
    }

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
        await _infrastructure.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class KeysServiceCollection : ICollectionFixture<KeysServiceFixture>
{
    public const string Name = "Keys service";
}
