namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Tuning of the outbox relay and the consumers, bound from <c>Synaxis:Events</c>. The defaults suit
/// production; tests shorten the intervals and use their own stream.
/// </summary>
public sealed class EventOptions
{
    public const string SectionName = "Synaxis:Events";

    /// <summary>The Redis stream; dead letters and publish markers use keys derived from it.</summary>
    public string StreamName { get; set; } = EventStreams.Events;

    /// <summary>Where <c>UsageRecorded</c> goes (<see cref="EventStreams.UsageOf"/> the <see cref="StreamName"/>).</summary>
    public string UsageStreamName => EventStreams.UsageOf(StreamName);

    /// <summary>
    /// Approximate cap on the stream's length (XADD MAXLEN ~). Entries beyond it are trimmed oldest
    /// first, even if a slow consumer group has not read them yet, so keep it well above any backlog.
    /// </summary>
    public long StreamMaxLength { get; set; } = 1_000_000;

    /// <summary>
    /// The same cap for the usage stream, which takes one entry (about 0.7 KB) per inference and so fills its cap in
    /// steady state: 250,000 is about 175 MB of Redis and four minutes of backlog at 1,000 requests/s before a stopped
    /// consumer (Audit, RateLimit) starts losing entries. Raise it with Redis memory.
    /// </summary>
    public long UsageStreamMaxLength { get; set; } = 250_000;

    /// <summary>
    /// How long the per-event "already in the stream" marker lives. A row published to Redis but not
    /// marked in the database (a crash in between) is safe to re-publish within this window.
    /// </summary>
    public TimeSpan PublishedMarkerTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often an idle relay looks for new outbox rows (commits in this process also wake it).</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Outbox rows locked and published per database transaction.</summary>
    public int RelayBatchSize { get; set; } = 100;

    /// <summary>Longest wait between attempts while Redis or the database fails.</summary>
    public TimeSpan RelayMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a consumer waits after finding no new entries (XREADGROUP cannot block on a shared connection).</summary>
    public TimeSpan ConsumerPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Entries read (or reclaimed) per round trip.</summary>
    public int ConsumerBatchSize { get; set; } = 50;

    /// <summary>
    /// An entry pending this long (its consumer died, or its handler failed) is taken over by XAUTOCLAIM
    /// and retried. It must exceed the slowest handler, or a working consumer's entry is retried too
    /// (harmless, since ProcessedEvents deduplicates, but wasted work).
    /// </summary>
    public TimeSpan ClaimMinIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a consumer looks for stale pending entries.</summary>
    public TimeSpan ClaimInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deliveries of one entry to a group before it goes to the dead-letter stream.</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>Longest wait between attempts while Redis or the database fails.</summary>
    public TimeSpan ConsumerMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where a consumer group created for the first time starts: true (the default) reads every entry
    /// still in the stream, so events published while a new service was being rolled out are not
    /// missed; false starts at new entries only.
    /// </summary>
    public bool NewGroupsReadFromStart { get; set; } = true;
}
