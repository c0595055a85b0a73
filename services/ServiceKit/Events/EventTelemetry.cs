using System.Diagnostics;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Spans of the event bus: <c>publish {type}</c> (relay, producer) and <c>handle {type}</c> (consumer).
/// The publish span continues the trace of the request that wrote the event and its context travels
/// in the stream entry's <c>traceparent</c> field, so one trace shows a change and all its effects.
/// </summary>
public static class EventTelemetry
{
    public const string ActivitySourceName = "Synaxis.Events";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    internal static Activity? StartPublish(string type, Guid eventId, Guid? organizationId, string stream, string? parentTraceParent)
    {
        var activity = Source.StartActivity($"publish {type}", ActivityKind.Producer, ParseParent(parentTraceParent));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "redis");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", stream);
            activity.SetTag("messaging.message.id", eventId.ToString());
            activity.SetTag("synaxis.event.type", type);
            activity.SetTag("synaxis.organization.id", organizationId?.ToString());
        }
        return activity;
    }

    internal static Activity? StartHandle(SynaxisEvent @event, string stream, string consumerGroup, string entryId, string? parentTraceParent)
    {
        var activity = Source.StartActivity($"handle {@event.Type}", ActivityKind.Consumer, ParseParent(parentTraceParent));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "redis");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", stream);
            activity.SetTag("messaging.consumer.group.name", consumerGroup);
            activity.SetTag("messaging.message.id", @event.Id.ToString());
            activity.SetTag("synaxis.stream.entry_id", entryId);
            activity.SetTag("synaxis.event.type", @event.Type);
            activity.SetTag("synaxis.organization.id", @event.OrganizationId?.ToString());
        }
        return activity;
    }

    internal static void RecordError(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }

    private static ActivityContext ParseParent(string? traceParent) =>
        ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var context) ? context : default;
}
