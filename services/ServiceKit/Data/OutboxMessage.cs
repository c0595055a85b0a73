namespace Synaxis.ServiceKit.Data;

/// <summary>
/// An event written in the same transaction as the change it describes; a relay later publishes it
/// to the Redis event stream. That is how no event is lost when a process dies mid-change.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>The event id (<c>SynaxisEvent.Id</c>).</summary>
    public Guid Id { get; set; }

    /// <summary>Event type name, e.g. <c>OrganizationDeleted</c>.</summary>
    public required string Type { get; set; }

    /// <summary>
    /// The whole event envelope (<c>Synaxis.ServiceKit.Events.SynaxisEvent</c>) as JSON, published as is.
    /// Write rows with <c>AddEvent</c> / <c>IEventOutbox</c> rather than by hand.
    /// </summary>
    public required string Payload { get; set; }

    public Guid? OrganizationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null until the relay has published the message.</summary>
    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>Publish attempts so far (including the successful one); a growing count means Redis keeps failing.</summary>
    public int Attempts { get; set; }
}
