using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.RateLimit.Infrastructure;
using Synaxis.ServiceKit.Events;
using Synaxis.Testing;

namespace Synaxis.RateLimit.Tests.Policies;

/// <summary>
/// The RateLimit service on real Kestrel, against a throwaway PostgreSQL database and Redis, started once for
/// the policy tests, on its own event stream. Tests stay independent by using fresh organization and user ids.
/// </summary>
public sealed class PolicyServiceFixture : IAsyncLifetime
{
    public const string InternalSigningKey = "test-internal-identity-key-0123456789-abcdefghij";

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
        });
        _ = Service.BaseAddress; // start now: migrations run once, before any test
    }

    /// <summary>
    /// Writes an Identity event into the service's outbox (its relay publishes it, its consumer applies it) and
    /// waits until the <c>ratelimit</c> consumer group applied it.
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
            () => WithDbAsync(db => db.ProcessedEvents.AnyAsync(p => p.EventId == eventId && p.ConsumerGroup == "ratelimit")),
            $"the {type} event to be applied");
        return eventId;
    }

    /// <summary>Runs <paramref name="work"/> with the service's own DbContext (a fresh scope).</summary>
    public async Task<T> WithDbAsync<T>(Func<RateLimitDbContext, Task<T>> work)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RateLimitDbContext>());
    }

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
public sealed class PolicyServiceCollection : ICollectionFixture<PolicyServiceFixture>
{
    public const string Name = "RateLimit policy service";
}
