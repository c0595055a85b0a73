namespace Synaxis.RateLimit.Infrastructure;

/// <summary>The largest limits a policy may set, and the sizes the schema enforces.</summary>
public static class Limits
{
    public const int MaxRequestsPerMinute = 1_000_000;
    public const int MaxTokensPerMinute = 100_000_000;
    public const long MaxTokensPerDay = 10_000_000_000;
    public const int MaxMonthlyBudgetUsd = 10_000_000;

    /// <summary>Budgets are kept to the nano-dollar: <c>numeric(18,9)</c>.</summary>
    public const int BudgetDecimals = 9;

    public const int ScopeLength = 16;
}
