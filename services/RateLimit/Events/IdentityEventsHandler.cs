using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.RateLimit.Infrastructure;
using Synaxis.RateLimit.Model;
using Synaxis.RateLimit.Services;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;

namespace Synaxis.RateLimit.Events;

/// <summary>
/// Applies Identity's events: a deleted organization loses all its policies, a deleted group its group
/// policy (each removal publishes <c>PolicyChanged</c> with no <c>after</c>), and membership events keep the
/// copy of roles the API trusts over a signed identity. Runs in the consumer's transaction; events may come
/// twice or out of order: removing what is already removed does nothing, roles apply only newer facts.
/// </summary>
public sealed partial class IdentityEventsHandler(
    RateLimitDbContext db,
    MemberRoleStore roles,
    DeletedOrganizationStore deletedOrganizations,
    TimeProvider time,
    ILogger<IdentityEventsHandler> logger) : IEventHandler
{
    public const string ConsumerGroup = "ratelimit";

    public bool Handles(string eventType) => eventType is
        RateLimitEventTypes.OrganizationDeleted or RateLimitEventTypes.GroupDeleted or
        RateLimitEventTypes.MemberAdded or RateLimitEventTypes.MemberRemoved or RateLimitEventTypes.MemberRoleChanged;

    public async Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        switch (@event.Type)
        {
            case RateLimitEventTypes.OrganizationDeleted:
                await OrganizationDeletedAsync(@event, cancellationToken);
                break;
            case RateLimitEventTypes.GroupDeleted:
                await GroupDeletedAsync(@event, cancellationToken);
                break;
            case RateLimitEventTypes.MemberRemoved:
                await MemberRemovedAsync(@event, cancellationToken);
                break;
            case RateLimitEventTypes.MemberAdded or RateLimitEventTypes.MemberRoleChanged:
                await RoleChangedAsync(@event, cancellationToken);
                break;
        }
    }

    private async Task OrganizationDeletedAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var organizationId = @event.OrganizationId ?? IdentityEventData.OrganizationId(@event.Data);
        if (organizationId is not { } id)
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }
        await RemoveAsync(db.Policies.Where(p => p.OrganizationId == id), @event, cancellationToken);
        await deletedOrganizations.RecordAsync(id, @event.OccurredAt, cancellationToken);
        await roles.ForgetOrganizationAsync(id, @event.OccurredAt, cancellationToken);
    }

    private async Task GroupDeletedAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var groupId = IdentityEventData.GroupId(@event.Data);
        if (@event.OrganizationId is not { } organizationId || groupId is not { } group)
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }
        await RemoveAsync(
            db.Policies.Where(p => p.OrganizationId == organizationId && p.Scope == PolicyScopes.Group && p.ScopeId == group),
            @event, cancellationToken);
    }

    /// <summary>
    /// Soft-deletes the policies and says so with PolicyChanged. All of them, whenever made: organization and
    /// group ids are never reused, so a policy naming a deleted one can never apply again.
    /// </summary>
    private async Task RemoveAsync(IQueryable<RateLimitPolicy> query, SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var policies = await query.ToListAsync(cancellationToken);
        foreach (var policy in policies)
        {
            db.Policies.Remove(policy);
            db.AddEvent(RateLimitEventTypes.PolicyChanged, policy.OrganizationId,
                new PolicyChangedData(policy.Scope, policy.ScopeId, PolicySnapshot.Of(policy), null),
                RateLimitEventsJsonContext.Default.PolicyChangedData, EventOrigin.CausedBy(@event), time);
        }
    }

    private async Task MemberRemovedAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var userId = IdentityEventData.UserId(@event.Data);
        if (@event.OrganizationId is not { } organizationId || userId is not { } user)
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }
        await roles.SetAsync(organizationId, user, role: null, @event.OccurredAt, cancellationToken);
    }

    private async Task RoleChangedAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var userId = IdentityEventData.UserId(@event.Data);
        var role = IdentityEventData.Role(@event.Data);
        if (@event.OrganizationId is not { } organizationId || userId is not { } user || !OrganizationRoles.All.Contains(role))
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }
        await roles.SetAsync(organizationId, user, role, @event.OccurredAt, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored {EventType} event {EventId}: it lacks the organization, group, user or role RateLimit needs.")]
    private static partial void LogUnusable(ILogger logger, string eventType, Guid eventId);
}
