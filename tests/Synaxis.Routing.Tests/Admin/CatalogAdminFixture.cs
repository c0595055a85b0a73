using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.Routing.Infrastructure;
using Synaxis.ServiceKit.Events;
using Synaxis.Testing;

namespace Synaxis.Routing.Tests.Admin;

/// <summary>
/// The Routing service on real Kestrel (through its own <c>Program</c>), against a throwaway PostgreSQL database and
/// Redis, started once for the admin API tests, on its own event stream and without the seeded mock providers. Tests
/// stay independent by using fresh organizations; the global catalog is shared, so they only look at their own rows.
/// </summary>
public sealed class CatalogAdminFixture : IAsyncLifetime
{
    public const string InternalSigningKey = "routing-admin-tests-internal-identity-key-0123456789";

    /// <summary>The one user listed in <c>Routing:PlatformAdministrators</c>.</summary>
    public static readonly Guid PlatformAdministratorId = Guid.NewGuid();

    private readonly InfrastructureFixture _infrastructure = new();

    public KestrelServiceFactory<Program> Service { get; private set; } = null!;

    public string RedisConnectionString => _infrastructure.Redis.ConnectionString;

    /// <summary>This run's event stream, so nothing else's events (or earlier runs') reach the service.</summary>
    public string EventStream { get; } = $"synaxis:events:test-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        var database = await _infrastructure.Postgres.CreateDatabaseAsync();
        Service = new KestrelServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = database,
            ["ConnectionStrings:redis"] = _infrastructure.Redis.ConnectionString,
            ["InternalIdentity:SigningKey"] = InternalSigningKey,
            ["Synaxis:Events:StreamName"] = EventStream,
            ["Routing:PlatformAdministrators:0"] = PlatformAdministratorId.ToString(),
            ["Routing:SeedMockProviders"] = "false",
            // Production's default, which Development (the tests' environment) turns on: CustomProviderUrlTests need it.
            ["Routing:CustomProviders:AllowPrivateNetworks"] = "false",
        });
        _ = Service.BaseAddress; // start now: migrations run once, before any test
    }

    /// <summary>
    /// Writes an Identity event into the service's outbox (its relay publishes it to the stream, its consumer applies
    /// it) and waits until the <c>routing</c> consumer group applied it.
    /// </summary>
    public async Task<Guid> PublishIdentityEventAsync(string type, Guid organizationId, object data)
    {
        var eventId = await WithDbAsync(async db =>
        {
            var @event = SynaxisEvent.Create(type, organizationId, JsonSerializer.SerializeToElement(data),
                EventOrigin.User(Guid.NewGuid()), DateTimeOffset.UtcNow);
            db.AddEvent(@event);
            await db.SaveChangesAsync();
            return @event.Id;
        });
        await Eventually.TrueAsync(
            () => WithDbAsync(db => db.ProcessedEvents.AnyAsync(p => p.EventId == eventId && p.ConsumerGroup == "routing")),
            $"the {type} event to be applied");
        return eventId;
    }

    /// <summary>Runs <paramref name="work"/> with the service's own DbContext (a fresh scope).</summary>
    public async Task<T> WithDbAsync<T>(Func<RoutingDbContext, Task<T>> work)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RoutingDbContext>());
    }

    public Task<ConnectionMultiplexer> ConnectRedisAsync() => ConnectionMultiplexer.ConnectAsync(RedisConnectionString);

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        await _infrastructure.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class CatalogAdminCollection : ICollectionFixture<CatalogAdminFixture>
{
    public const string Name = "Routing catalog admin service";
}
