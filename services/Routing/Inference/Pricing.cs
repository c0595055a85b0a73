using System.Globalization;
using Synaxis.Routing.Catalog;

namespace Synaxis.Routing.Inference;

/// <summary>Cost of an answer at a deployment's prices per 1M tokens, exact in decimal.</summary>
public static class Pricing
{
    public static decimal Cost(long promptTokens, long completionTokens, decimal inputPer1M, decimal outputPer1M) =>
        (promptTokens * inputPer1M + completionTokens * outputPer1M) / 1_000_000m;

    /// <summary>
    /// What the same tokens would have cost at the organization's baseline: until Identity's <c>baselineModel</c>
    /// reaches Routing, the most expensive deployment of the requested model the organization can see.
    /// </summary>
    public static decimal BaselineCost(IReadOnlyList<RouteCandidate> candidates, long promptTokens, long completionTokens)
    {
        var baseline = 0m;
        foreach (var candidate in candidates)
        {
            baseline = Math.Max(baseline, Cost(promptTokens, completionTokens, candidate.InputPricePer1M, candidate.OutputPricePer1M));
        }
        return baseline;
    }

    /// <summary>Invariant, no exponent, no trailing zeros: <c>0.0000123</c>.</summary>
    public static string Format(decimal usd) => usd.ToString("0.############################", CultureInfo.InvariantCulture);
}
