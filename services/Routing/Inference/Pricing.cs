using System.Globalization;
using Synaxis.Routing.Catalog;

namespace Synaxis.Routing.Inference;

/// <summary>Cost of an answer at a deployment's prices per 1M tokens, exact in decimal.</summary>
public static class Pricing
{
    public static decimal Cost(long promptTokens, long completionTokens, decimal inputPer1M, decimal outputPer1M) =>
        (promptTokens * inputPer1M + completionTokens * outputPer1M) / 1_000_000m;

    /// <summary>
    /// The deployments "money saved" is measured against: those of the organization's baseline model (Identity's
    /// setting) when it has one the organization can use, else those of the requested model.
    /// </summary>
    public static IReadOnlyList<RouteCandidate> BaselineCandidates(CatalogSnapshot snapshot, Guid organizationId, IReadOnlyList<RouteCandidate> requested) =>
        snapshot.StrategyOf(organizationId).BaselineModel is { } baseline && snapshot.Resolve(organizationId, baseline) is { Length: > 0 } found
            ? found
            : requested;

    /// <summary>What the same tokens would have cost at the dearest of <paramref name="candidates"/> (see <see cref="BaselineCandidates"/>).</summary>
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
