using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.Keys.Infrastructure;
using Synaxis.Keys.Services;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Events;

/// <summary>
/// Applies Identity's events to keys: a deleted organization loses all its keys, a removed member loses
/// theirs in that organization, and role changes update the copy verification answers with. Runs in the
/// consumer's transaction; the gateways' caches are cleared after commit, by <see cref="KeyEvictionHandler"/>
/// reacting to the KeyRevoked events written here. Events may come out of order or twice: revocations
/// only touch keys created before the event, role changes only apply when newer than what is stored.
/// Groups are recorded so that a key can only name a group of its own organization; a deletion is kept
/// (soft-deleted row), so a late creation cannot undo it. Deleting a group revokes none of its keys.
/// </summary>
public sealed partial class IdentityEventsHandler(
    KeysDbContext db,
    MemberRoleStore roles,
    GroupStore groups,
    TimeProvider time,
    ILogger<IdentityEventsHandler> logger) : IEventHandler
{
    public const string ConsumerGroup = "keys";

    public bool Handles(string eventType) => eventType is
        KeysEventTypes.OrganizationDeleted or KeysEventTypes.MemberAdded or
        KeysEventTypes.MemberRemoved or KeysEventTypes.MemberRoleChanged or
        KeysEventTypes.GroupCreated or KeysEventTypes.GroupDeleted;

    public async Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        switch (@event.Type)
        {
            case KeysEventTypes.OrganizationDeleted:
                await OrganizationDeletedAsync(@event, cancellationToken);
                break;
            case KeysEventTypes.MemberRemoved:
                await MemberRemovedAsync(@event, cancellationToken);
                break;
            case KeysEventTypes.MemberAdded or KeysEventTypes.MemberRoleChanged:
                await RoleChangedAsync(@event, cancellationToken);
                break;
            case KeysEventTypes.GroupCreated or KeysEventTypes.GroupDeleted:
                await GroupChangedAsync(@event, cancellationToken);
                break;
        }
    }

    private async Task GroupChangedAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var groupId = IdentityEventData.GroupId(@event.Data);
        if (@event.OrganizationId is not { } organizationId || groupId is not { } group)
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }
        if (@event.Type == KeysEventTypes.GroupCreated)
        {
            await groups.AddAsync(organizationId, group, cancellationToken);
        }
        else
        {
            // The group's keys keep working (and keep naming it): nothing is revoked or cleared here.
            await groups.DeleteAsync(organizationId, group, @event.OccurredAt, @event.ActorId, cancellationToken);
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

        var keys = await db.ApiKeys
            .Where(k => k.OrganizationId == id && k.CreatedAt <= @event.OccurredAt)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow().ToDatabasePrecision();
        foreach (var key in keys)
        {
            // Soft-deleted with the organization, as everything under it in every service.
            if (key.RevokedAt is null)
            {
                key.RevokedAt = now;
                db.AddEvent(KeysEventTypes.KeyRevoked, key.OrganizationId,
                    new KeyRevokedData(KeySnapshot.Of(key), RevocationReasons.OrganizationDeleted),
                    KeysEventsJsonContext.Default.KeyRevokedData, EventOrigin.CausedBy(@event), time);
            }
            db.ApiKeys.Remove(key);
        }
        await roles.ForgetOrganizationAsync(id, @event.OccurredAt, cancellationToken);
        await groups.DeleteOrganizationAsync(id, @event.OccurredAt, @event.ActorId, cancellationToken);
    }

    private async Task MemberRemovedAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var userId = IdentityEventData.UserId(@event.Data);
        if (@event.OrganizationId is not { } organizationId || userId is not { } user)
        {
            LogUnusable(logger, @event.Type, @event.Id);
            return;
        }

        var keys = await db.ApiKeys
            .Where(k => k.OrganizationId == organizationId && k.UserId == user && k.RevokedAt == null && k.CreatedAt <= @event.OccurredAt)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow().ToDatabasePrecision();
        foreach (var key in keys)
        {
            key.RevokedAt = now;
            db.AddEvent(KeysEventTypes.KeyRevoked, key.OrganizationId,
                new KeyRevokedData(KeySnapshot.Of(key), RevocationReasons.MemberRemoved),
                KeysEventsJsonContext.Default.KeyRevokedData, EventOrigin.CausedBy(@event), time);
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
        var changed = await roles.SetAsync(organizationId, user, role, @event.OccurredAt, cancellationToken);
        if (changed == 0 || @event.Type != KeysEventTypes.MemberRoleChanged)
        {
            return;
        }

        // Gateways cache the role with each verified key: after this commits, KeyEvictionHandler drops the
        // member's keys so the next request verifies again and carries the new role (a demoted Admin's key
        // loses its admin rights within a second, not when the cache expires).
        var keyIds = await db.ApiKeys
            .Where(k => k.OrganizationId == organizationId && k.UserId == user && k.RevokedAt == null)
            .Select(k => k.KeyId)
            .ToListAsync(cancellationToken);
        if (keyIds.Count > 0)
        {
            db.AddEvent(KeysEventTypes.KeyOwnerRoleChanged, organizationId,
                new KeyOwnerRoleChangedData(user, role!, keyIds),
                KeysEventsJsonContext.Default.KeyOwnerRoleChangedData, EventOrigin.CausedBy(@event), time);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored {EventType} event {EventId}: it lacks the organization, user or role Keys needs.")]
    private static partial void LogUnusable(ILogger logger, string eventType, Guid eventId);
}
