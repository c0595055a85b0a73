namespace Synaxis.ServiceKit.Events;

/// <summary>Which of the two streams a consumer group reads.</summary>
public enum EventStreamKind
{
    /// <summary><see cref="EventOptions.StreamName"/>: every service's admin events.</summary>
    Events,

    /// <summary><see cref="EventOptions.UsageStreamName"/>: Routing's <c>UsageRecorded</c>.</summary>
    Usage,
}
