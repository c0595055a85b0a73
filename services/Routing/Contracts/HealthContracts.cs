namespace Synaxis.Routing.Contracts;

/// <summary>A provider's last persisted health; one never measured reads as healthy.</summary>
/// <param name="Score">0 (failing) to 1 (healthy).</param>
/// <param name="CircuitState"><c>closed</c>, <c>open</c> or <c>half-open</c>.</param>
/// <param name="LatencyMs">Recent latency (moving average), in milliseconds.</param>
/// <param name="ErrorRate">Share of recent calls that failed, 0 to 1.</param>
/// <param name="UpdatedAt">Null when never measured.</param>
public sealed record ProviderHealthResponse(
    Guid ProviderId, string Name, double Score, string CircuitState, double LatencyMs, double ErrorRate, DateTimeOffset? UpdatedAt);

/// <summary>Every provider the organization sees, by name.</summary>
public sealed record ProviderHealthListResponse(IReadOnlyList<ProviderHealthResponse> Items);
