using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Membership;

namespace Synaxis.Routing.Events;

/// <summary>
/// Applies Identity's <c>OrganizationDeleted</c>: the organization's providers (with their deployments), its
/// deployments on global providers and its strategy are soft-deleted, each with its event. Runs in the consumer's
/// transaction; a redelivery finds nothing left to delete.
/// </summary>
public sealed partial class IdentityEventsHandler(
    RoutingDbContext db,
    IEventOutbox outbox,
    CatalogChangeAfterCommit catalogChanged,
    ILogger<IdentityEventsHandler> logger) : IEventHandler
{
    public const string ConsumerGroup = "routing";

    public bool Handles(string eventType) => eventType == RoutingEventTypes.OrganizationDeleted;

    public async Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var organizationId = @event.OrganizationId ?? IdentityEventData.OrganizationId(@event.Data);
        if (organizationId is not { } id)
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }
        var origin = EventOrigin.CausedBy(@event);

        var providers = await db.Providers.Include(p => p.Deployments)
            .Where(p => p.OrganizationId == id)
            .ToListAsync(cancellationToken);
        foreach (var provider in providers)
        {
            outbox.RemoveProvider(db, provider, origin);
        }
        // Its deployments on global providers (those on its own providers are already tracked as deleted).
        var deployments = await db.Deployments.Where(d => d.OrganizationId == id).ToListAsync(cancellationToken);
        foreach (var deployment in deployments.Where(d => db.Entry(d).State != EntityState.Deleted))
        {
            db.Deployments.Remove(deployment);
            outbox.DeploymentChanged(db, RoutingEventTypes.DeploymentDeleted, DeploymentSnapshot.Of(deployment), null, origin);
        }
        var strategy = await db.RoutingStrategies.FirstOrDefaultAsync(s => s.OrganizationId == id, cancellationToken);
        if (strategy is not null)
        {
            db.RoutingStrategies.Remove(strategy);
            outbox.StrategyChanged(db, id, StrategySnapshot.Of(strategy), null, origin);
        }

        if (db.ChangeTracker.HasChanges())
        {
            catalogChanged.Request(db);
            LogDeleted(logger, id, providers.Count, db.ChangeTracker.Entries<Deployment>().Count(e => e.State == EntityState.Deleted));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored {EventType} event {EventId}: it names no organization.")]
    private static partial void LogUnusable(ILogger logger, string eventType, Guid eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the routing catalog of organization {OrganizationId}: {Providers} providers, {Deployments} deployments.")]
    private static partial void LogDeleted(ILogger logger, Guid organizationId, int providers, int deployments);
}
