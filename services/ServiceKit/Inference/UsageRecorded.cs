using System.Text.Json;
using System.Text.Json.Serialization;

namespace Synaxis.ServiceKit.Inference;

/// <summary>
/// <c>UsageRecorded</c>: one inference answered (or failed) by Routing, published on <c>synaxis:events</c> with the
/// organization in the envelope. RateLimit reconciles the admission's reservation with it; Audit stores it.
/// </summary>
/// <param name="ReservationId">
/// The gateway's admission reservation (header <see cref="InferenceHeaders.Reservation"/>); null when admission
/// recorded none (no tokens or budget limit applied), and then there is nothing to reconcile.
/// </param>
/// <param name="CostUsd">What the upstream call cost at the deployment's prices; 0 for a free tier.</param>
/// <param name="MoneySavedUsd">The organization's baseline model price for the same tokens minus <paramref name="CostUsd"/>.</param>
/// <param name="StatusCode">The HTTP status the client received (a stream cut after its start still counts as 200).</param>
public sealed record UsageRecordedData(
    Guid? UserId,
    Guid? GroupId,
    Guid? KeyId,
    string? ReservationId,
    string Model,
    string? Provider,
    string? ProviderTier,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    decimal MoneySavedUsd,
    long LatencyMs,
    int StatusCode)
{
    public const string EventType = "UsageRecorded";

    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>Headers the gateway adds to inference requests it forwards (after stripping every client-sent <c>X-Synaxis-*</c>).</summary>
public static class InferenceHeaders
{
    /// <summary>The admission reservation to reconcile when the answer's usage is known.</summary>
    public const string Reservation = "X-Synaxis-Reservation";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UsageRecordedData))]
public sealed partial class InferenceEventsJsonContext : JsonSerializerContext;
