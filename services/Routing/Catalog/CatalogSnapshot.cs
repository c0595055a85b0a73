using System.Collections.Frozen;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Catalog;

/// <summary>A provider as the hot path needs it: the API key already decrypted, the base URL parsed once.</summary>
public sealed record ProviderEndpoint(
    Guid Id,
    Guid? OrganizationId,
    string Name,
    string Kind,
    Uri BaseUri,
    string? ApiKey,
    string? ApiVersion,
    bool IsFree,
    int? FreeRequestsPerMinute,
    int? FreeRequestsPerDay,
    int? FreeTokensPerMinute);

/// <summary>One way to serve a public model name: a deployment on an enabled provider.</summary>
public sealed record RouteCandidate(
    Guid DeploymentId,
    Guid? OrganizationId,
    string Model,
    string UpstreamModel,
    decimal InputPricePer1M,
    decimal OutputPricePer1M,
    int? ContextWindow,
    IReadOnlyList<string> Aliases,
    ProviderEndpoint Provider);

/// <summary>
/// The whole routing catalog in memory, immutable (a refresh swaps the instance): requests resolve models and
/// strategies here, never in PostgreSQL.
/// </summary>
public sealed class CatalogSnapshot
{
    public static readonly CatalogSnapshot Empty = new([], []);

    // Public name (model or alias) → every candidate with that name, global and of any organization.
    private readonly FrozenDictionary<string, RouteCandidate[]> _byName;
    private readonly FrozenDictionary<Guid, RoutingStrategy> _strategies;

    public CatalogSnapshot(IEnumerable<RouteCandidate> candidates, IEnumerable<RoutingStrategy> strategies)
    {
        var all = candidates.ToArray();
        Candidates = all;
        _byName = all
            .SelectMany(c => c.Aliases.Prepend(c.Model).Distinct(StringComparer.Ordinal).Select(name => (name, c)))
            .GroupBy(x => x.name, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.c).ToArray(), StringComparer.Ordinal);
        _strategies = strategies.GroupBy(s => s.OrganizationId).ToFrozenDictionary(g => g.Key, g => g.First());
    }

    public IReadOnlyList<RouteCandidate> Candidates { get; }

    /// <summary>The candidates an organization may use for <paramref name="name"/>: its own deployments and global ones.</summary>
    public RouteCandidate[] Resolve(Guid organizationId, string name)
    {
        if (!_byName.TryGetValue(name, out var all))
        {
            return [];
        }
        var visible = 0;
        foreach (var candidate in all)
        {
            if (IsVisible(candidate, organizationId))
            {
                visible++;
            }
        }
        if (visible == all.Length)
        {
            return all;
        }
        var result = new RouteCandidate[visible];
        var i = 0;
        foreach (var candidate in all)
        {
            if (IsVisible(candidate, organizationId))
            {
                result[i++] = candidate;
            }
        }
        return result;
    }

    /// <summary>Every public name (models and aliases) the organization can call, each once, sorted.</summary>
    public IReadOnlyList<(string Name, RouteCandidate Example)> VisibleModels(Guid organizationId) =>
        _byName
            .Select(pair => (pair.Key, Candidate: pair.Value.FirstOrDefault(c => IsVisible(c, organizationId))))
            .Where(pair => pair.Candidate is not null)
            .Select(pair => (pair.Key, pair.Candidate!))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ToArray();

    public RoutingStrategy StrategyOf(Guid organizationId) =>
        _strategies.TryGetValue(organizationId, out var strategy) ? strategy : RoutingStrategy.Default(organizationId);

    private static bool IsVisible(RouteCandidate candidate, Guid organizationId) =>
        (candidate.OrganizationId is null || candidate.OrganizationId == organizationId)
        && (candidate.Provider.OrganizationId is null || candidate.Provider.OrganizationId == organizationId);
}
