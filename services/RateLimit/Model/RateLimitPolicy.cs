using Synaxis.ServiceKit.Data;

namespace Synaxis.RateLimit.Model;

/// <summary>
/// The limits set for one level (<see cref="PolicyScopes"/>) of an organization. A <see langword="null"/> limit
/// means no limit at that level. One live row per (organization, scope, scope id); replacing a policy updates
/// the row, deleting it soft-deletes it.
/// </summary>
public sealed class RateLimitPolicy : Entity
{
    public Guid OrganizationId { get; set; }

    /// <summary><c>organization</c>, <c>group</c>, <c>user</c> or <c>key</c>.</summary>
    public string Scope { get; set; } = "";

    /// <summary>The organization's, group's, user's or key's id (an organization-scope policy: the organization's own).</summary>
    public Guid ScopeId { get; set; }

    public int? RequestsPerMinute { get; set; }

    public int? TokensPerMinute { get; set; }

    public long? TokensPerDay { get; set; }

    public decimal? MonthlyBudgetUsd { get; set; }

    /// <summary>PostgreSQL's <c>xmin</c>: two concurrent replacements cannot both win silently.</summary>
    public uint Version { get; set; }
}

/// <summary>The levels a policy can apply to.</summary>
public static class PolicyScopes
{
    public const string Organization = "organization";
    public const string Group = "group";
    public const string User = "user";
    public const string Key = "key";

    public static readonly IReadOnlyList<string> All = [Organization, Group, User, Key];

    /// <summary>The canonical (lower-case) scope, or <see langword="null"/> when it is not one of <see cref="All"/>.</summary>
    public static string? Normalize(string? scope) =>
        scope is null ? null : All.FirstOrDefault(s => string.Equals(s, scope, StringComparison.OrdinalIgnoreCase));
}
