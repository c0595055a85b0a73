namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Applies events to a service's state. Resolved from a fresh DI scope per event, so it shares that
/// scope's DbContext with the consumer: whatever it changes (saved or not) commits in one transaction
/// with the event's ProcessedEvents row, or not at all. It must not commit or open its own transaction.
/// Throwing leaves the entry pending; it is retried after <see cref="EventOptions.ClaimMinIdle"/> and
/// dead-lettered after <see cref="EventOptions.MaxDeliveries"/> deliveries.
/// </summary>
public interface IEventHandler
{
    /// <summary>
    /// Whether this handler wants events of <paramref name="eventType"/>. Others are acknowledged
    /// without opening a transaction. All, by default.
    /// </summary>
    bool Handles(string eventType) => true;

    Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken);
}
