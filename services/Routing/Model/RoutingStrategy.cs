using Synaxis.ServiceKit.Data;

namespace Synaxis.Routing.Model;

/// <summary>An organization's routing strategy; an organization without a row routes with <see cref="Default"/>.</summary>
public sealed class RoutingStrategy : Entity
{
    public Guid OrganizationId { get; set; }

    /// <summary>One of <see cref="RoutingStrategyTypes"/>.</summary>
    public string Type { get; set; } = RoutingStrategyTypes.Miser;

    public bool AllowPaidFallback { get; set; }

    /// <summary>Deployments whose input price per 1M tokens is above this are never chosen; null: no cap.</summary>
    public decimal? MaxCostPer1M { get; set; }

    /// <summary>Providers whose health score (0–1) is below this are skipped; null: only open circuits are.</summary>
    public double? MinHealthScore { get; set; }

    /// <summary>
    /// The model whose price "money saved" is measured against (Identity's organization setting, applied from its
    /// SettingsChanged events); null: the dearest deployment of the requested model.
    /// </summary>
    public string? BaselineModel { get; set; }

    public static RoutingStrategy Default(Guid organizationId) => new() { OrganizationId = organizationId };
}

public static class RoutingStrategyTypes
{
    /// <summary>ULTRA MISER MODE: free first, then healthier, then cheaper; paid only with <c>allowPaidFallback</c>.</summary>
    public const string Miser = "miser";
    public const string Cost = "cost";
    public const string Performance = "performance";
    public const string Balanced = "balanced";

    public static readonly IReadOnlyList<string> All = [Miser, Cost, Performance, Balanced];
}
