using Synaxis.Routing.Catalog;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Inference;

/// <summary>
/// Orders the candidates for one request by the organization's strategy, after removing the ones it excludes
/// (paid without <c>allowPaidFallback</c> in miser mode, above <c>maxCostPer1M</c>, below <c>minHealthScore</c>).
/// <list type="bullet">
/// <item><c>miser</c> (ULTRA MISER MODE): free first, then higher health score, then lower input price.</item>
/// <item><c>cost</c>: lowest input + output price per 1M, then higher health.</item>
/// <item><c>performance</c>: lowest latency EWMA among the healthy (unmeasured providers first, to measure them), then price.</item>
/// <item><c>balanced</c>: highest 0.4 × health + 0.3 × price score + 0.2 × latency score + 0.1 × free bonus, where
/// price score = 1 / (1 + (in + out) / $10) and latency score = 1 / (1 + latency / 1 s).</item>
/// </list>
/// </summary>
public static class CandidateRanker
{
    public sealed record Ranking(IReadOnlyList<RouteCandidate> Ordered, bool PaidExcluded);

    public static Ranking Rank(IReadOnlyList<RouteCandidate> candidates, RoutingStrategy strategy, ProviderHealth health)
    {
        var paidExcluded = false;
        var kept = new List<(RouteCandidate Candidate, ProviderHealth.Snapshot Health)>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (strategy.Type == RoutingStrategyTypes.Miser && !candidate.Provider.IsFree && !strategy.AllowPaidFallback)
            {
                paidExcluded = true;
                continue;
            }
            if (strategy.MaxCostPer1M is { } max && candidate.InputPricePer1M > max)
            {
                continue;
            }
            var snapshot = health.Of(candidate.Provider.Id);
            if (strategy.MinHealthScore is { } min && snapshot.Score < min)
            {
                continue;
            }
            kept.Add((candidate, snapshot));
        }

        IEnumerable<(RouteCandidate Candidate, ProviderHealth.Snapshot Health)> ordered = strategy.Type switch
        {
            RoutingStrategyTypes.Cost => kept
                .OrderBy(x => x.Candidate.InputPricePer1M + x.Candidate.OutputPricePer1M)
                .ThenByDescending(x => x.Health.Score),
            RoutingStrategyTypes.Performance => kept
                .OrderBy(x => x.Health.CircuitState == CircuitStates.Closed ? 0 : 1)
                .ThenBy(x => x.Health.LatencyEwmaMs)
                .ThenBy(x => x.Candidate.InputPricePer1M),
            RoutingStrategyTypes.Balanced => kept.OrderByDescending(x => BalancedScore(x.Candidate, x.Health)),
            _ => kept
                .OrderByDescending(x => x.Candidate.Provider.IsFree)
                .ThenByDescending(x => x.Health.Score)
                .ThenBy(x => x.Candidate.InputPricePer1M),
        };
        return new Ranking([.. ordered.Select(x => x.Candidate)], paidExcluded);
    }

    public static double BalancedScore(RouteCandidate candidate, ProviderHealth.Snapshot health)
    {
        var price = (double)(candidate.InputPricePer1M + candidate.OutputPricePer1M);
        return 0.4 * health.Score
            + 0.3 / (1 + price / 10)
            + 0.2 / (1 + health.LatencyEwmaMs / 1000)
            + (candidate.Provider.IsFree ? 0.1 : 0);
    }
}
