using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Data;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Writes an event into a DbContext's outbox. The row is only added to the change tracker: it is
/// saved by the caller's own SaveChanges, in the caller's transaction, so the event exists exactly
/// when the change it describes does.
/// </summary>
public static class DbContextEventExtensions
{
    public static SynaxisEvent AddEvent(
        this DbContext context,
        string type,
        Guid? organizationId,
        JsonElement data,
        EventOrigin origin,
        TimeProvider? timeProvider = null)
    {
        var @event = SynaxisEvent.Create(type, organizationId, data, origin, (timeProvider ?? TimeProvider.System).GetUtcNow());
        return context.AddEvent(@event);
    }

    /// <summary>Serializes <paramref name="data"/> with the given (source-generated) contract.</summary>
    public static SynaxisEvent AddEvent<TData>(
        this DbContext context,
        string type,
        Guid? organizationId,
        TData data,
        JsonTypeInfo<TData> dataType,
        EventOrigin origin,
        TimeProvider? timeProvider = null) =>
        context.AddEvent(type, organizationId, JsonSerializer.SerializeToElement(data, dataType), origin, timeProvider);

    /// <summary>Adds an envelope built by the caller; the outbox row stores it whole.</summary>
    public static SynaxisEvent AddEvent(this DbContext context, SynaxisEvent @event)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(@event);
        context.Set<OutboxMessage>().Add(new OutboxMessage
        {
            Id = @event.Id,
            Type = @event.Type,
            Payload = @event.ToJson(),
            OrganizationId = @event.OrganizationId,
            CreatedAt = @event.OccurredAt.ToUniversalTime(),
        });
        return @event;
    }
}
