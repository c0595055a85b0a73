using System.Text.Json;
using System.Text.Json.Serialization;
using Synaxis.Identity.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Identity.Events;

/// <summary>
/// Records Identity's events in the outbox of the current context (so each commits with its change),
/// as <c>{before, after}</c> with the caller as actor and the request id of the call.
/// </summary>
public sealed class IdentityEvents(IdentityDbContext db, IEventOutbox outbox, IHttpContextAccessor httpContextAccessor)
{
    public void Record<T>(string type, Guid organizationId, T? before, T? after, Guid? actorId = null)
        where T : class
    {
        var data = JsonSerializer.SerializeToElement(
            new EventChange<T>(before, after), typeof(EventChange<T>), IdentityEventsJsonContext.Default);
        // A registration has no signed caller yet: the new user is the actor, and the gateway's
        // x-request-id still ties the event to the request.
        var current = outbox.CurrentOrigin;
        var origin = actorId is { } id && current.ActorId is null
            ? EventOrigin.User(id, current.RequestId ?? GatewayRequestId())
            : null;
        outbox.Add(db, type, organizationId, data, origin);
    }

    private string? GatewayRequestId() =>
        httpContextAccessor.HttpContext?.Request.Headers["x-request-id"].ToString() is { Length: > 0 } requestId ? requestId : null;
}

public sealed record EventChange<T>(T? Before, T? After) where T : class;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EventChange<UserSnapshot>))]
[JsonSerializable(typeof(EventChange<OrganizationSnapshot>))]
[JsonSerializable(typeof(EventChange<GroupSnapshot>))]
[JsonSerializable(typeof(EventChange<MemberSnapshot>))]
[JsonSerializable(typeof(EventChange<GroupMemberSnapshot>))]
[JsonSerializable(typeof(EventChange<SettingsSnapshot>))]
internal sealed partial class IdentityEventsJsonContext : JsonSerializerContext;
