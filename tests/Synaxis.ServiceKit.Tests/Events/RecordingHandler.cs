using System.Collections.Concurrent;
using Synaxis.ServiceKit.Events;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>What a test makes the handler do, and what the handler saw (one per test service).</summary>
public sealed class HandlerProbe
{
    private readonly ConcurrentDictionary<Guid, int> _attempts = new();

    /// <summary>Given the event and the attempt number (from 1), whether to throw after writing.</summary>
    public Func<SynaxisEvent, int, bool> ShouldFail { get; set; } = (_, _) => false;

    public Func<string, bool> Handles { get; set; } = _ => true;

    public int AttemptsFor(Guid eventId) => _attempts.GetValueOrDefault(eventId);

    public int TotalAttempts => _attempts.Values.Sum();

    internal int RecordAttempt(Guid eventId) => _attempts.AddOrUpdate(eventId, 1, (_, attempts) => attempts + 1);
}

/// <summary>
/// Writes a <see cref="HandledEvent"/> row through the consumer's own DbContext and saves it (inside
/// the consumer's transaction), then fails if the probe says so: a failed attempt must leave no row.
/// </summary>
public sealed class RecordingHandler(EventsTestDbContext db, HandlerProbe probe) : IEventHandler
{
    public bool Handles(string eventType) => probe.Handles(eventType);

    public async Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        var attempt = probe.RecordAttempt(@event.Id);
        db.HandledEvents.Add(new HandledEvent { Id = Guid.NewGuid(), EventId = @event.Id, Type = @event.Type, Attempt = attempt });
        await db.SaveChangesAsync(cancellationToken);
        if (probe.ShouldFail(@event, attempt))
        {
            throw new InvalidOperationException($"boom on attempt {attempt}");
        }
    }
}
