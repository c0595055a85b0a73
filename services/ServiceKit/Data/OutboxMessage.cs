namespace Synaxis.ServiceKit.Data;

/// <summary>
/// An event written in the same transaction as the change it describes; a relay later publishes it
/// to the Redis event stream. That is how no event is lost when a process dies mid-change.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Event type name, e.g. <c>OrganizationDeleted</c>.</summary>
    public required string Type { get; set; }

    /// <summary>The event body as JSON.</summary>
    public required string Payload { get; set; }

    public Guid? OrganizationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null until the relay has published the message.</summary>
    public DateTimeOffset? PublishedAt { get; set; }

    public int Attempts { get; set; }
}
