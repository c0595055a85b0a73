using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// The envelope of every event on the bus. It is what the outbox row stores, what the stream entry's
/// <c>payload</c> carries and what handlers receive; Audit keeps it as the record of who did what.
/// </summary>
public sealed record SynaxisEvent
{
    /// <summary>Unique per event (a v7 Guid, so ids sort by creation). Consumers deduplicate on it.</summary>
    public required Guid Id { get; init; }

    /// <summary>What happened, in past tense: <c>OrganizationDeleted</c>, <c>KeyCreated</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The organization the event belongs to; null for platform-wide events.</summary>
    public Guid? OrganizationId { get; init; }

    /// <summary>User id or key id of the actor; null for <see cref="EventActorTypes.System"/>.</summary>
    public Guid? ActorId { get; init; }

    /// <summary>One of <see cref="EventActorTypes"/>.</summary>
    public required string ActorType { get; init; }

    /// <summary>The gateway's request id of the call that caused the event, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// The IP address of the client whose request caused the event, as the gateway saw it; null outside a request
    /// (and in events written before this member existed).
    /// </summary>
    public string? ClientAddress { get; init; }

    /// <summary>The <c>User-Agent</c> of that request (at most <see cref="EventOrigin.MaxUserAgentLength"/> characters), if any.</summary>
    public string? UserAgent { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The event-specific body, e.g. <c>{ "before": …, "after": … }</c>.</summary>
    public required JsonElement Data { get; init; }

    /// <summary>
    /// W3C trace context of the operation that wrote the event, so the relay's publish span and the
    /// consumers' handle spans land in the originating request's trace. Null outside a trace.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>Maximum length of <see cref="Type"/> (the outbox column's size).</summary>
    public const int MaxTypeLength = 128;

    /// <summary>
    /// A new event with a fresh v7 id, caught in the current trace (if any).
    /// </summary>
    public static SynaxisEvent Create(
        string type,
        Guid? organizationId,
        JsonElement data,
        EventOrigin origin,
        DateTimeOffset occurredAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(origin);
        if (type.Length > MaxTypeLength)
        {
            throw new ArgumentException($"Event type names are at most {MaxTypeLength} characters.", nameof(type));
        }
        return new SynaxisEvent
        {
            Id = Guid.CreateVersion7(occurredAt),
            Type = type,
            OrganizationId = organizationId,
            ActorId = origin.ActorId,
            ActorType = origin.ActorType,
            RequestId = origin.RequestId,
            ClientAddress = origin.ClientAddress,
            UserAgent = origin.UserAgent,
            OccurredAt = occurredAt.ToUniversalTime(),
            // An undefined element (a default JsonElement) cannot be serialized; an empty body can.
            Data = data.ValueKind == JsonValueKind.Undefined ? EmptyData() : data.Clone(),
            TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null,
        };
    }

    /// <summary>The event body as <typeparamref name="T"/>.</summary>
    public T? DataAs<T>(JsonTypeInfo<T> typeInfo) => Data.Deserialize(typeInfo);

    public string ToJson() => JsonSerializer.Serialize(this, EventJsonContext.Default.SynaxisEvent);

    /// <exception cref="JsonException">Not an envelope (malformed, or a required member missing).</exception>
    public static SynaxisEvent FromJson(string json) =>
        JsonSerializer.Deserialize(json, EventJsonContext.Default.SynaxisEvent)
        ?? throw new JsonException("The event payload is JSON null.");

    private static JsonElement EmptyData()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }
}
