using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.Keys.Infrastructure;
using Synaxis.ServiceKit.Events;
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

    /// <summary>
    /// Writes an Identity event into the service's outbox (its relay publishes it, its consumers apply it) and,
    /// unless told not to, waits until the <c>keys</c> consumer group applied it.
    /// </summary>
    public async Task<Guid> PublishIdentityEventAsync(string type, Guid organizationId, object data, bool waitUntilApplied = true)
    {
        var eventId = await WithDbAsync(async db =>
        {
            var @event = SynaxisEvent.Create(type, organizationId, JsonSerializer.SerializeToElement(data),
                EventOrigin.User(Guid.NewGuid()), DateTimeOffset.UtcNow);
            db.AddEvent(@event);
            await db.SaveChangesAsync();
            return @event.Id;
        });
        if (waitUntilApplied)
        {
            await Eventually.TrueAsync(
                () => WithDbAsync(db => db.ProcessedEvents.AnyAsync(p => p.EventId == eventId && p.ConsumerGroup == "keys")),
                $"the {type} event to be applied");
        }
        return eventId;
    }

    /// <summary>A new group of the organization, announced by Identity's GroupCreated and applied.</summary>
    public async Task<Guid> CreateGroupAsync(Guid organizationId)
    {
        var groupId = Guid.NewGuid();
        await PublishIdentityEventAsync("GroupCreated", organizationId,
            new { before = (object?)null, after = new { id = groupId, name = "Research", slug = $"research-{groupId:N}" } });
        return groupId;
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
