namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Marks an event as handled by a consumer group. It is inserted in the same transaction as the
/// handler's changes, so "handled" and "recorded as handled" cannot disagree, and a redelivered
/// event (a crash before XACK, a reclaimed entry, a duplicate in the stream) is skipped.
/// </summary>
public sealed class ProcessedEvent
{
    public Guid EventId { get; set; }

    /// <summary>
    /// Part of the key: one service may run several groups against one database, each of which
    /// must handle every event once.
    /// </summary>
    public required string ConsumerGroup { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
