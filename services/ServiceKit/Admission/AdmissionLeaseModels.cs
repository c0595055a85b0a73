namespace Synaxis.ServiceKit.Admission;

/// <summary>How far from its limits a set of levels must be for a lease, and how big a lease may be (see <see cref="LeaseScripts"/>).</summary>
/// <param name="Share">The most of any one limit a lease may hold (a bigger block is cut down to it).</param>
/// <param name="Keep">The part of every limit that must still be free after the lease.</param>
/// <param name="BudgetKeep">The part of a monthly budget that must still be unspent for a lease.</param>
/// <param name="FewestRequests">No lease smaller than this many requests (of the size asked for) is granted.</param>
public sealed record LeaseBounds(double Share = 0.05, double Keep = 0.5, double BudgetKeep = 0.1, long FewestRequests = 8)
{
    public static readonly LeaseBounds Default = new();
}

/// <summary>
/// A block of requests and tokens charged to every level of one set at once (<see cref="LeaseScripts.Lease"/>), for
/// its holder to admit from in process until <see cref="DayLeft"/> at the latest (the day's counter it was charged to).
/// </summary>
public sealed class AdmissionLeaseGrant
{
    public required long Requests { get; init; }

    public required long Tokens { get; init; }

    /// <summary>Redis's clock when the lease was charged.</summary>
    public required long NowMs { get; init; }

    /// <summary>UTC day number (days since the epoch) the lease's tokens were counted in.</summary>
    public required long Day { get; init; }

    public required TimeSpan DayLeft { get; init; }

    /// <summary>The tightest requests window just after the lease's charge (its unused requests counted as used).</summary>
    public RateLimitWindow? RequestsWindow { get; init; }

    /// <summary>The tightest tokens window just after the lease's charge.</summary>
    public RateLimitWindow? TokensWindow { get; init; }

    public required IReadOnlyList<LimitPolicy> Policies { get; init; }

    /// <summary>The level hashes charged, in the levels' order (what a reservation names).</summary>
    public required IReadOnlyList<string> LevelKeys { get; init; }

    /// <summary>The lease's id: its reservation template's name, and the first part of its requests' reservation ids.</summary>
    public required string LeaseId { get; init; }

    /// <summary>Whether its requests have anything to reconcile (some level has a tokens or budget limit): then the template exists.</summary>
    public required bool Reconcilable { get; init; }
}
