using System.ComponentModel.DataAnnotations;
using Synaxis.RateLimit.Infrastructure;

namespace Synaxis.RateLimit.Contracts;

/// <summary>The limits of one level; <see langword="null"/> means no limit at that level.</summary>
/// <param name="RequestsPerMinute">1 to 1,000,000 (a rate cannot be zero: to stop a level, set tokensPerDay or monthlyBudgetUsd to 0).</param>
/// <param name="TokensPerMinute">1 to 100,000,000.</param>
/// <param name="TokensPerDay">0 to 10,000,000,000.</param>
/// <param name="MonthlyBudgetUsd">0 to 10,000,000 US dollars, at most 9 decimals.</param>
public sealed record PutPolicyRequest(
    [property: Range(1, Limits.MaxRequestsPerMinute)] int? RequestsPerMinute,
    [property: Range(1, Limits.MaxTokensPerMinute)] int? TokensPerMinute,
    [property: Range(typeof(long), "0", "10000000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)] long? TokensPerDay,
    [property: Budget] decimal? MonthlyBudgetUsd);

/// <summary>A policy as the API answers it.</summary>
/// <param name="Scope"><c>organization</c>, <c>group</c>, <c>user</c> or <c>key</c>.</param>
/// <param name="ScopeId">The id of the organization, group, user or key the policy applies to.</param>
public sealed record PolicyResponse(
    string Scope,
    Guid ScopeId,
    int? RequestsPerMinute,
    int? TokensPerMinute,
    long? TokensPerDay,
    decimal? MonthlyBudgetUsd,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The organization's policies, by scope then id.</summary>
public sealed record PolicyListResponse(IReadOnlyList<PolicyResponse> Items);

/// <summary>Absent, or 0 to 10,000,000 US dollars with at most 9 decimals.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class BudgetAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not decimal budget)
        {
            return ValidationResult.Success;
        }
        if (budget < 0 || budget > Limits.MaxMonthlyBudgetUsd)
        {
            return Fail(validationContext, "must be between 0 and 10,000,000 US dollars");
        }
        if (decimal.Round(budget, Limits.BudgetDecimals) != budget)
        {
            return Fail(validationContext, $"may have at most {Limits.BudgetDecimals} decimals");
        }
        return ValidationResult.Success;
    }

    private static ValidationResult Fail(ValidationContext context, string problem) =>
        new($"{context.DisplayName} {problem}.", context.MemberName is { } member ? [member] : null);
}

/// <summary>A per-minute limit now: <paramref name="ResetSeconds"/> until its whole allowance is back.</summary>
public sealed record WindowUsageResponse(long Limit, long Remaining, double ResetSeconds);

/// <summary>Tokens counted today (UTC); the counter restarts at <paramref name="ResetsAt"/>.</summary>
public sealed record TokensTodayUsage(long Limit, long Used, long Remaining, DateTimeOffset ResetsAt);

/// <summary>Spend this calendar month (UTC), to the micro-dollar.</summary>
public sealed record BudgetUsage(decimal LimitUsd, decimal SpentUsd, decimal RemainingUsd, DateTimeOffset ResetsAt);

/// <summary>One level's current counters; a <see langword="null"/> part has no limit.</summary>
public sealed record UsageResponse(
    string Scope,
    Guid ScopeId,
    PolicyResponse? Policy,
    WindowUsageResponse? Requests,
    WindowUsageResponse? Tokens,
    TokensTodayUsage? TokensToday,
    BudgetUsage? Budget);
