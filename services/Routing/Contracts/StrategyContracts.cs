using System.ComponentModel.DataAnnotations;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Contracts;

/// <param name="Type"><c>miser</c> (ULTRA MISER MODE), <c>cost</c>, <c>performance</c> or <c>balanced</c>.</param>
/// <param name="AllowPaidFallback">False when absent.</param>
/// <param name="MaxCostPer1M">Deployments whose input price per 1M tokens is above this are never chosen; absent: no cap.</param>
/// <param name="MinHealthScore">0 to 1: providers scoring lower are skipped; absent: only open circuits are.</param>
public sealed record PutStrategyRequest(
    [property: Required, OneOf(RoutingStrategyTypes.Miser, RoutingStrategyTypes.Cost, RoutingStrategyTypes.Performance, RoutingStrategyTypes.Balanced)] string Type,
    bool? AllowPaidFallback,
    [property: PricePer1M] decimal? MaxCostPer1M,
    [property: Range(0d, 1d)] double? MinHealthScore);

/// <summary>The organization's routing strategy (the default, <c>miser</c> without paid fallback, when none is set).</summary>
public sealed record StrategyResponse(string Type, bool AllowPaidFallback, decimal? MaxCostPer1M, double? MinHealthScore);
