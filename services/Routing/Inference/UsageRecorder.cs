using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Synaxis.Routing.Catalog;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Inference;

/// <summary>
/// After each answer: a <c>UsageRecorded</c> event for the usage stream, <c>synaxis:events:usage</c> (no outbox, no
/// database on the inference path), for RateLimit's reconciliation of the gateway's reservation and for Audit. Only
/// queued here: <see cref="UsagePublisher"/> appends the events a few milliseconds later in coalesced batches, so the
/// Redis write does not compete with the answer still on its way to the client; a failure is logged (the reservation
/// then keeps its estimate).
/// </summary>
public sealed class UsageRecorder(UsagePublisher publisher, TimeProvider time)
{
    /// <returns>The answer's cost and money saved.</returns>
    internal (decimal Cost, decimal Saved) Record(ClaimsPrincipal caller, StringValues reservation, string model, RouteCandidate candidate,
        IReadOnlyList<RouteCandidate> candidates, TokenUsage used, TimeSpan latency, int statusCode)
    {
        var cost = Pricing.Cost(used.PromptTokens, used.CompletionTokens, candidate.InputPricePer1M, candidate.OutputPricePer1M);
        var saved = Math.Max(0, Pricing.BaselineCost(candidates, used.PromptTokens, used.CompletionTokens) - cost);
        if (caller.FindOrganizationId() is not { } organizationId)
        {
            return (cost, saved);
        }
        var groups = caller.GetGroupIds();
        var data = new UsageRecordedData(
            caller.GetUserId(),
            groups.Count == 1 ? groups[0] : null,
            caller.GetKeyId(),
            reservation.Count == 1 && !string.IsNullOrEmpty(reservation[0]) ? reservation[0] : null,
            model,
            candidate.Provider.Name,
            candidate.Provider.IsFree ? "free" : "paid",
            used.PromptTokens,
            used.CompletionTokens,
            cost,
            saved,
            (long)latency.TotalMilliseconds,
            statusCode);
        var @event = SynaxisEvent.Create(UsageRecordedData.EventType, organizationId,
            JsonSerializer.SerializeToElement(data, InferenceEventsJsonContext.Default.UsageRecordedData),
            EventOrigin.FromPrincipal(caller), time.GetUtcNow());
        publisher.Enqueue(@event);
        return (cost, saved);
    }
}
