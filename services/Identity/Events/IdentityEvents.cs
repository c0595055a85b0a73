using System.Text.Json;
using System.Text.Json.Serialization;
using Synaxis.Identity.Infrastructure;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Events;

/// <summary>
/// Records Identity's events in the outbox of the current context, so each commits with its change.
/// </summary>
public sealed class IdentityEvents(IdentityDbContext db, TimeProvider timeProvider)
{
    public void Record<T>(string type, Guid organizationId, T? before, T? after, Guid? actorId = null)
        where T : class
    {
        var data = JsonSerializer.SerializeToElement(
            new EventChange<T>(before, after), typeof(EventChange<T>), IdentityEventsJsonContext.Default);
        db.Outbox.Add(new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            Type = type,
            OrganizationId = organizationId,
            Payload = data.GetRawText(),
            CreatedAt = timeProvider.GetUtcNow(),
        });
        _ = actorId;
    }
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
