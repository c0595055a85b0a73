using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Data;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Appends outbox rows to the event stream at most once per event id, however often it is called:
/// the relay may die after XADD and before marking its row, and the next attempt must not duplicate.
/// </summary>
public sealed class EventStreamPublisher(IConnectionMultiplexer redis, IOptions<EventOptions> options)
{
    // One script, so the check, the append and the marker are atomic (no other client runs in
    // between). The marker is set after XADD rather than first: if XADD fails (say, out of memory)
    // the script aborts without a marker, where SET-first would leave one and lose the event.
    // StackExchange.Redis sends it by SHA (EVALSHA) once the server has it cached.
    //   KEYS[1] marker, KEYS[2] stream; ARGV[1] marker TTL (s), ARGV[2] approximate max length,
    //   ARGV[3..] field, value, field, value...
    // Returns the new entry id, or nil (false) when the event was already published.
    private const string PublishOnceScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then
          return false
        end
        local entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
        redis.call('SET', KEYS[1], entry, 'EX', ARGV[1])
        return entry
        """;

    private readonly EventOptions _options = options.Value;

    public string StreamName => _options.StreamName;

    /// <summary>Publishes the row's event unless its id is already in the stream.</summary>
    /// <returns>True if this call appended it, false if an earlier attempt had.</returns>
    public Task<bool> PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PublishAsync(_options.StreamName, message.Id, message.Type, message.OrganizationId, message.Payload,
            ReadTraceParent(message.Payload), cancellationToken);
    }

    /// <summary>
    /// Appends an event straight to a stream, without an outbox row and without the once-only marker: for facts their
    /// writer emits exactly once and that need no transaction, such as Routing's <c>UsageRecorded</c> on
    /// <see cref="EventStreamKind.Usage"/> (one per inference: a 7-day marker key each would fill Redis). Consumers
    /// deduplicate by event id in any case.
    /// </summary>
    public async Task AppendAsync(SynaxisEvent @event, EventStreamKind stream)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var (streamName, maxLength) = stream == EventStreamKind.Usage
            ? (_options.UsageStreamName, _options.UsageStreamMaxLength)
            : (_options.StreamName, _options.StreamMaxLength);
        using var activity = EventTelemetry.StartPublish(@event.Type, @event.Id, @event.OrganizationId, streamName, @event.TraceParent);
        try
        {
            var traceParent = activity?.Id ?? @event.TraceParent;
            NameValueEntry[] fields = traceParent is null
                ? new NameValueEntry[4]
                : new NameValueEntry[5];
            fields[0] = new(EventStreamFields.Id, @event.Id.ToString());
            fields[1] = new(EventStreamFields.Type, @event.Type);
            fields[2] = new(EventStreamFields.Organization, @event.OrganizationId?.ToString() ?? string.Empty);
            fields[3] = new(EventStreamFields.Payload, @event.ToJson());
            if (traceParent is not null)
            {
                fields[4] = new(EventStreamFields.TraceParent, traceParent);
            }
            await redis.GetDatabase().StreamAddAsync(streamName, fields,
                maxLength: maxLength, useApproximateMaxLength: true);
        }
        catch (Exception ex)
        {
            EventTelemetry.RecordError(activity, ex);
            throw;
        }
    }

    private async Task<bool> PublishAsync(string streamName, Guid id, string type, Guid? organizationId, string payload,
        string? envelopeTraceParent, CancellationToken cancellationToken)
    {
        using var activity = EventTelemetry.StartPublish(type, id, organizationId, streamName, envelopeTraceParent);
        try
        {
            // Consumers continue the publish span when there is one, else the writer's own trace.
            var traceParent = activity?.Id ?? envelopeTraceParent;
            var arguments = new List<RedisValue>(14)
            {
                ((long)_options.PublishedMarkerTtl.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                _options.StreamMaxLength.ToString(CultureInfo.InvariantCulture),
                EventStreamFields.Id, id.ToString(),
                EventStreamFields.Type, type,
                EventStreamFields.Organization, organizationId?.ToString() ?? string.Empty,
                EventStreamFields.Payload, payload,
            };
            if (traceParent is not null)
            {
                arguments.Add(EventStreamFields.TraceParent);
                arguments.Add(traceParent);
            }
            RedisKey[] keys = [EventStreams.PublishedMarkerOf(streamName, id), streamName];

            // StackExchange.Redis commands take no token; stop waiting on shutdown. Whether or not
            // the command then runs, a retry is safe.
            var result = await redis.GetDatabase()
                .ScriptEvaluateAsync(PublishOnceScript, keys, [.. arguments])
                .WaitAsync(cancellationToken);
            var appended = !result.IsNull;
            activity?.SetTag("synaxis.event.duplicate", !appended);
            return appended;
        }
        catch (Exception ex)
        {
            EventTelemetry.RecordError(activity, ex);
            throw;
        }
    }

    private static string? ReadTraceParent(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("traceParent", out var value)
                && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
        }
        catch (JsonException)
        {
            // The payload goes out as it is; a consumer decides what to do with a malformed one.
            return null;
        }
    }
}
