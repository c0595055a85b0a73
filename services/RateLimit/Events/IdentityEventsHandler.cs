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

/// <summary>
/// Reads what RateLimit needs from Identity's event bodies: <c>{before, after}</c> snapshots (member:
/// <c>{userId, role}</c>, organization: <c>{id}</c>, group: <c>{id, name, slug}</c>), or the same fields at
/// the top level. A copy of the Keys service's reader.
/// </summary>
internal static class IdentityEventData
{
    public static Guid? UserId(JsonElement data) => FindGuid(data, "userId");

    public static Guid? GroupId(JsonElement data) => FindGuid(data, "groupId") ?? FindGuid(data, "id");

    public static Guid? OrganizationId(JsonElement data) => FindGuid(data, "organizationId") ?? FindGuid(data, "id");

    /// <summary>The role after the change.</summary>
    public static string? Role(JsonElement data) =>
        (Find(data, "after", "role") ?? Find(data, null, "role")) is { ValueKind: JsonValueKind.String } role ? role.GetString() : null;

    private static Guid? FindGuid(JsonElement data, string name)
    {
        foreach (var section in (string?[])["after", "before", null])
        {
            if (Find(data, section, name) is { ValueKind: JsonValueKind.String } value && value.TryGetGuid(out var id) && id != Guid.Empty)
            {
                return id;
            }
        }
        return null;
    }

    private static JsonElement? Find(JsonElement data, string? section, string name)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var scope = data;
        if (section is not null && (!data.TryGetProperty(section, out scope) || scope.ValueKind != JsonValueKind.Object))
        {
            return null;
        }
        foreach (var property in scope.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }
}
