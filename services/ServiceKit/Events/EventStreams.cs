namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Redis keys of the event bus. Every service publishes to and reads from the one stream; the names
/// derived from it (dead letters, publish markers) follow it, so a test or a second deployment can
/// use its own stream via <see cref="EventOptions.StreamName"/> without touching anyone else's keys.
/// </summary>
public static class EventStreams
{
    /// <summary>The stream every outbox relay appends to and every consumer group reads.</summary>
    public const string Events = "synaxis:events";

    /// <summary>
    /// Routing's <c>UsageRecorded</c>, one per inference: a stream of its own, read only by those that need it
    /// (RateLimit's reconciliation, Audit), so the admin-event consumers of every service do not parse and acknowledge
    /// thousands of entries a second that they ignore.
    /// </summary>
    public const string Usage = Events + UsageSuffix;

    /// <summary>Where consumers park entries they gave up on.</summary>
    public const string DeadLetter = Events + DeadLetterSuffix;

    private const string DeadLetterSuffix = ":dead";
    private const string UsageSuffix = ":usage";
    private const string PublishedMarkerInfix = ":published:";

    public static string DeadLetterOf(string stream) => stream + DeadLetterSuffix;

    /// <summary>The usage stream that goes with an events stream (so a test's own stream has its own usage stream).</summary>
    public static string UsageOf(string stream) => stream + UsageSuffix;

    /// <summary>
    /// The key whose existence says an event id is already in the stream. The publish script checks
    /// and sets it atomically with XADD, which is what makes re-publishing after a crash harmless.
    /// </summary>
    public static string PublishedMarkerOf(string stream, Guid eventId) => $"{stream}{PublishedMarkerInfix}{eventId}";
}

/// <summary>Field names of a stream entry. <c>payload</c> is the whole envelope; the others let tools filter without parsing it.</summary>
public static class EventStreamFields
{
    public const string Id = "id";
    public const string Type = "type";

    /// <summary>Organization id, or empty for events that belong to no organization.</summary>
    public const string Organization = "org";

    /// <summary>The <see cref="SynaxisEvent"/> as JSON.</summary>
    public const string Payload = "payload";

    /// <summary>W3C trace context of the publish span, so the handle span joins the same trace.</summary>
    public const string TraceParent = "traceparent";

    // Added to dead-letter entries on top of the original fields.
    public const string SourceEntryId = "entry";
    public const string ConsumerGroup = "group";
    public const string Consumer = "consumer";
    public const string Deliveries = "deliveries";
    public const string Error = "error";
    public const string DeadAt = "deadAt";
}

/// <summary>Who caused an event: <see cref="SynaxisEvent.ActorType"/> values.</summary>
public static class EventActorTypes
{
    public const string User = "user";

    /// <summary>An API key (its id is the actor id).</summary>
    public const string Key = "key";

    /// <summary>The platform itself: background work, cascades, seeding.</summary>
    public const string System = "system";
}
