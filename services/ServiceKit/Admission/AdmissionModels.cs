namespace Synaxis.ServiceKit.Admission;

/// <summary>A level of the hierarchy that a request is counted at.</summary>
public enum LimitLevel
{
    Key,
    User,
    Group,
    Organization,
}

/// <summary>Which limit refused.</summary>
public enum LimitKind
{
    Requests,
    Tokens,
    TokensDay,
    Budget,
}

public static class LimitNames
{
    public static string ToWire(this LimitLevel level) => level switch
    {
        LimitLevel.Key => "key",
        LimitLevel.User => "user",
        LimitLevel.Group => "group",
        LimitLevel.Organization => "organization",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>The level a wire name (a policy scope) names, or null.</summary>
    public static LimitLevel? ParseLevel(string? wire) => wire switch
    {
        "key" => LimitLevel.Key,
        "user" => LimitLevel.User,
        "group" => LimitLevel.Group,
        "organization" => LimitLevel.Organization,
        _ => null,
    };

    public static string ToWire(this LimitKind kind) => kind switch
    {
        LimitKind.Requests => "requests",
        LimitKind.Tokens => "tokens",
        LimitKind.TokensDay => "tokens_day",
        LimitKind.Budget => "budget",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static LimitKind ParseKind(string wire) => wire switch
    {
        "requests" => LimitKind.Requests,
        "tokens" => LimitKind.Tokens,
        "tokens_day" => LimitKind.TokensDay,
        "budget" => LimitKind.Budget,
        _ => throw new FormatException($"Unknown limit kind '{wire}'."),
    };
}

/// <summary>The limits of one level; null means "no limit of this kind".</summary>
public sealed record LimitPolicy(
    long? RequestsPerMinute = null,
    long? TokensPerMinute = null,
    long? TokensPerDay = null,
    decimal? MonthlyBudgetUsd = null)
{
    public static readonly LimitPolicy None = new();

    internal void Validate()
    {
        if (RequestsPerMinute is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestsPerMinute), "Must be at least 1 (omit for no limit).");
        }
        if (TokensPerMinute is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TokensPerMinute), "Must be at least 1 (omit for no limit).");
        }
        if (TokensPerDay is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TokensPerDay));
        }
        if (MonthlyBudgetUsd is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MonthlyBudgetUsd));
        }
    }
}

/// <summary>
/// One level that applies to the caller, with its id (the organization level's id is the organization id).
/// A null <see cref="Policy"/> is read by the admission script from the level's mirror in Redis (the gateway's
/// way: no extra round trip, no stale copy); a given one is used as it is (tests, benchmarks).
/// </summary>
public sealed record AdmissionLevel(LimitLevel Level, string Id, LimitPolicy? Policy = null);

/// <summary>
/// One request to admit. <see cref="EstimatedTokens"/> is reserved at every tokens limit and reconciled later;
/// use <see cref="EstimateTokens"/> for the documented estimate.
/// </summary>
public sealed record AdmissionRequest(
    string OrganizationId,
    IReadOnlyList<AdmissionLevel> Levels,
    long EstimatedTokens,
    long EstimatedCostMicroUsd,
    string ReservationId)
{
    /// <summary>Completion tokens reserved when the request names no max_tokens / max_completion_tokens.</summary>
    public const long DefaultCompletionReserve = 1024;

    /// <summary>Clock override in Unix ms (tests step it); null reads Redis <c>TIME</c>.</summary>
    public long? NowMs { get; init; }

    /// <summary>The reservation: the prompt estimate plus max_tokens, or plus <see cref="DefaultCompletionReserve"/>.</summary>
    public static long EstimateTokens(long promptTokens, long? maxTokens) =>
        Math.Max(0, promptTokens) + (maxTokens is { } max and >= 0 ? max : DefaultCompletionReserve);
}

/// <summary>Money in Redis is integer micro-USD so sums stay exact.</summary>
public static class MicroUsd
{
    public const long PerUsd = 1_000_000;

    public static long FromUsd(decimal usd) => (long)decimal.Round(usd * PerUsd, 0, MidpointRounding.AwayFromZero);

    public static decimal ToUsd(long micro) => (decimal)micro / PerUsd;
}

/// <summary>The tightest limit of one kind (requests or tokens per minute) for the x-ratelimit-* headers.</summary>
public sealed record RateLimitWindow(LimitLevel Level, string LevelId, long Limit, long Remaining, TimeSpan Reset);

/// <summary>What reconciliation needs; returned by an admission.</summary>
public sealed record AdmissionReservation(string OrganizationId, string ReservationId, IReadOnlyList<string> LevelKeys);

public sealed record AdmissionResult
{
    public required bool Admitted { get; init; }

    public LimitLevel? RefusedLevel { get; init; }

    public string? RefusedLevelId { get; init; }

    public LimitKind? RefusedKind { get; init; }

    /// <summary>When a retry can succeed; null for a refusal that cannot pass within its period (cost above the limit).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Tightest requests/min limit (after this admission, or unchanged state on refusal); null when none applies.</summary>
    public RateLimitWindow? Requests { get; init; }

    public RateLimitWindow? Tokens { get; init; }

    /// <summary>Set when admitted and some level has a tokens or budget limit (otherwise there is nothing to reconcile).</summary>
    public AdmissionReservation? Reservation { get; init; }

    /// <summary>The policy each level was judged by, in the order of the request's levels.</summary>
    public IReadOnlyList<LimitPolicy> Policies { get; init; } = [];

    /// <summary>The clock the script used (Unix ms).</summary>
    public long NowMs { get; init; }
}

public enum ReconcileOutcome
{
    Reconciled,
    AlreadyReconciled,

    /// <summary>Unknown or expired reservation: nothing changed (the reserve stays charged).</summary>
    Missing,
}

public sealed record ReconcileResult(ReconcileOutcome Outcome, long TokenDelta, long CostDeltaMicroUsd);
