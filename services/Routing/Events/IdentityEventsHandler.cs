using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Membership;

namespace Synaxis.Routing.Events;

/// <summary>
/// Applies Identity's <c>OrganizationDeleted</c>: the organization's providers (with their deployments), its
/// deployments on global providers and its strategy are soft-deleted, each with its event. And its
/// <c>SettingsChanged</c>: the organization settings' routing strategy, paid fallback and baseline model become the
/// organization's routing strategy (the last change wins, whichever API made it). Runs in the consumer's
/// transaction; a redelivery finds nothing left to do.
/// </summary>
public sealed partial class IdentityEventsHandler(
    RoutingDbContext db,
    IEventOutbox outbox,
    CatalogChangeAfterCommit catalogChanged,
    ILogger<IdentityEventsHandler> logger) : IEventHandler
{
    public const string ConsumerGroup = "routing";

    public const string SettingsChanged = "SettingsChanged";

    public bool Handles(string eventType) => eventType is RoutingEventTypes.OrganizationDeleted or SettingsChanged;

    public async Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        if (@event.Type == SettingsChanged)
        {
            await ApplySettingsAsync(@event, cancellationToken);
            return;
        }
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

    private async Task ApplySettingsAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        if (@event.OrganizationId is not { } id
            || @event.Data.ValueKind != System.Text.Json.JsonValueKind.Object
            || !@event.Data.TryGetProperty("after", out var after)
            || after.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }
        var type = after.TryGetProperty("routingStrategy", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String
            && RoutingStrategyTypes.All.Contains(t.GetString()) ? t.GetString()! : null;
        bool? allowPaid = after.TryGetProperty("allowPaidFallback", out var p) && p.ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False
            ? p.GetBoolean() : null;
        var baseline = after.TryGetProperty("baselineModel", out var b) && b.ValueKind == System.Text.Json.JsonValueKind.String
            && b.GetString() is { Length: > 0 and <= 200 } model ? model : null;

        var strategy = await db.RoutingStrategies.FirstOrDefaultAsync(s => s.OrganizationId == id, cancellationToken);
        var before = strategy is null ? null : StrategySnapshot.Of(strategy);
        if (strategy is null)
        {
            db.RoutingStrategies.Add(strategy = RoutingStrategy.Default(id));
        }
        strategy.Type = type ?? strategy.Type;
        strategy.AllowPaidFallback = allowPaid ?? strategy.AllowPaidFallback;
        strategy.BaselineModel = baseline;
        var changed = before is null || StrategySnapshot.Of(strategy) != before || db.Entry(strategy).Property(s => s.BaselineModel).IsModified;
        if (!changed)
        {
            return;
        }
        if (StrategySnapshot.Of(strategy) != before)
        {
            outbox.StrategyChanged(db, id, before, StrategySnapshot.Of(strategy), EventOrigin.CausedBy(@event));
        }
        catalogChanged.Request(db);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored {EventType} event {EventId}: it names no organization.")]
    private static partial void LogUnusable(ILogger logger, string eventType, Guid eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the routing catalog of organization {OrganizationId}: {Providers} providers, {Deployments} deployments.")]
    private static partial void LogDeleted(ILogger logger, Guid organizationId, int providers, int deployments);
}
