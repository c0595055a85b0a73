namespace Synaxis.Routing.Model;

/// <summary>
/// A provider's last persisted health (the live figures are in memory per instance; this row is what the health
/// API shows and what a restarted instance starts from).
/// </summary>
public sealed class ProviderHealthStatus
{
    public Guid ProviderId { get; set; }

    /// <summary>0 (failing) to 1 (healthy).</summary>
    public double Score { get; set; } = 1;

    /// <summary><c>closed</c>, <c>open</c> or <c>half-open</c>.</summary>
    public string CircuitState { get; set; } = CircuitStates.Closed;

    public double LatencyEwmaMs { get; set; }

    /// <summary>Share of recent calls that failed, 0–1.</summary>
    public double ErrorRate { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public static class CircuitStates
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string HalfOpen = "half-open";
}
