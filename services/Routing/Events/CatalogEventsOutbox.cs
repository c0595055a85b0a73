using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Routing.Events;

/// <summary>
/// Writes the catalog events into the outbox (saved with the change, in its transaction). An event belongs to the
/// row's organization; a global row's event to none (a platform-wide event).
/// </summary>
internal static class CatalogEventsOutbox
{
    public static void ProviderChanged(this IEventOutbox outbox, DbContext db, string type, ProviderSnapshot? before, ProviderSnapshot? after,
        bool apiKeyChanged = false, EventOrigin? origin = null) =>
        outbox.Add(db, type, (after ?? before)?.OrganizationId, new ProviderChangedData(before, after, apiKeyChanged),
            RoutingEventsJsonContext.Default.ProviderChangedData, origin);

    public static void DeploymentChanged(this IEventOutbox outbox, DbContext db, string type, DeploymentSnapshot? before, DeploymentSnapshot? after,
        EventOrigin? origin = null) =>
        outbox.Add(db, type, (after ?? before)?.OrganizationId, new DeploymentChangedData(before, after),
            RoutingEventsJsonContext.Default.DeploymentChangedData, origin);

    public static void StrategyChanged(this IEventOutbox outbox, DbContext db, Guid organizationId, StrategySnapshot? before, StrategySnapshot? after,
        EventOrigin? origin = null) =>
        outbox.Add(db, RoutingEventTypes.RoutingStrategyChanged, organizationId, new RoutingStrategyChangedData(organizationId, before, after),
            RoutingEventsJsonContext.Default.RoutingStrategyChangedData, origin);

    /// <summary>
    /// Removes the provider and its deployments (the soft delete cascades to them in the same SaveChanges) and says
    /// so for each. The deployments must be loaded: every live one, of any organization (an organization's deployment
    /// may use a global provider).
    /// </summary>
    public static void RemoveProvider(this IEventOutbox outbox, DbContext db, Provider provider, EventOrigin? origin = null)
    {
        foreach (var deployment in provider.Deployments)
        {
            db.Remove(deployment);
            outbox.DeploymentChanged(db, RoutingEventTypes.DeploymentDeleted, DeploymentSnapshot.Of(deployment), null, origin);
        }
        db.Remove(provider);
        outbox.ProviderChanged(db, RoutingEventTypes.ProviderDeleted, ProviderSnapshot.Of(provider), null, origin: origin);
    }
}
