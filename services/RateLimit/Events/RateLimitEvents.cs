using System.Text.Json;
using System.Text.Json.Serialization;
using Synaxis.RateLimit.Model;

namespace Synaxis.RateLimit.Events;

/// <summary>The events RateLimit publishes on <c>synaxis:events</c>, and the ones it consumes from Identity.</summary>
public static class RateLimitEventTypes
{
    /// <summary>A policy was created, replaced or deleted (by the API, or with its organization or group).</summary>
    public const string PolicyChanged = "PolicyChanged";

    // Identity's, consumed here.
    public const string OrganizationDeleted = "OrganizationDeleted";
    public const string GroupDeleted = "GroupDeleted";
    public const string MemberAdded = "MemberAdded";
    public const string MemberRemoved = "MemberRemoved";
    public const string MemberRoleChanged = "MemberRoleChanged";
}

/// <summary>A policy's limits as events describe them; <see langword="null"/> limits mean none at that level.</summary>
public sealed record PolicySnapshot(int? RequestsPerMinute, int? TokensPerMinute, long? TokensPerDay, decimal? MonthlyBudgetUsd)
{
    public static PolicySnapshot Of(RateLimitPolicy policy) =>
        new(policy.RequestsPerMinute, policy.TokensPerMinute, policy.TokensPerDay, policy.MonthlyBudgetUsd);
}

/// <param name="Before">The policy before the change; <see langword="null"/> when it was created.</param>
/// <param name="After">The policy after the change; <see langword="null"/> when it was deleted.</param>
public sealed record PolicyChangedData(string Scope, Guid ScopeId, PolicySnapshot? Before, PolicySnapshot? After);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PolicyChangedData))]
internal sealed partial class RateLimitEventsJsonContext : JsonSerializerContext;
