using Synaxis.Audit.Model;

namespace Synaxis.Audit.Contracts;

/// <summary>One bucket of <c>GET /api/audit/usage</c>, or the totals of all of them.</summary>
/// <param name="Key">
/// The bucket: a day <c>yyyy-MM-dd</c> (UTC), a model, a provider, or a key, user or group id; null for requests that
/// had none (no key: a token; no group: a user in several groups; no provider recorded). Null in the totals.
/// </param>
public sealed record UsageBucket(
    string? Key,
    long Requests,
    long InputTokens,
    long OutputTokens,
    long TotalTokens,
    decimal CostUsd,
    decimal MoneySavedUsd);

/// <param name="GroupBy"><c>day</c>, <c>model</c>, <c>provider</c>, <c>key</c>, <c>user</c> or <c>group</c>.</param>
/// <param name="From">The window's start (inclusive).</param>
/// <param name="To">The window's end (inclusive).</param>
public sealed record UsageReport(string GroupBy, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageBucket> Items, UsageBucket Totals);

/// <summary>The hub's <c>UsageRecorded</c>: one inference, as Routing reported it.</summary>
public sealed record UsageRecordResponse(
    Guid Id,
    Guid? GroupId,
    Guid? UserId,
    Guid? KeyId,
    string Model,
    string? Provider,
    string? ProviderTier,
    long InputTokens,
    long OutputTokens,
    long TotalTokens,
    decimal CostUsd,
    decimal MoneySavedUsd,
    long LatencyMs,
    int StatusCode,
    string? RequestId,
    DateTimeOffset OccurredAt)
{
    public static UsageRecordResponse Of(UsageRecord u) => new(
        u.Id, u.GroupId, u.UserId, u.KeyId, u.Model, u.Provider, u.ProviderTier, u.InputTokens, u.OutputTokens,
        u.InputTokens + u.OutputTokens, u.CostUsd, u.MoneySavedUsd, u.LatencyMs, u.StatusCode, u.RequestId, u.OccurredAt);
}

/// <summary>The hub's <c>CostOptimizationApplied</c>: an inference that cost less than the organization's baseline model would have.</summary>
public sealed record CostOptimizationMessage(string Model, string? Provider, decimal CostUsd, decimal MoneySavedUsd, string? RequestId);

/// <summary>The hub's <c>KeyRevoked</c>.</summary>
/// <param name="Reason">Keys' reason: <c>deleted</c>, <c>organizationDeleted</c>, <c>memberRemoved</c>.</param>
public sealed record KeyRevokedMessage(Guid KeyId, string? Reason, DateTimeOffset RevokedAt);
