using System.Collections.Concurrent;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// Each level's policy as Redis last returned it (an admission or a lease grant), for the local fallback while Redis
/// is down. A level without a policy is forgotten, a changed one replaced; the common case (nothing changed) reads and
/// allocates nothing.
/// </summary>
internal sealed class LastKnownPolicies
{
    private const int MaxRemembered = 200_000;

    private readonly ConcurrentDictionary<LevelRef, LimitPolicy> _policies = new();

    public LimitPolicy Get(LevelRef level) => _policies.GetValueOrDefault(level) ?? LimitPolicy.None;

    public void Remember(string organizationId, AdmissionLevel[] levels, IReadOnlyList<LimitPolicy> policies)
    {
        for (var i = 0; i < levels.Length && i < policies.Count; i++)
        {
            var policy = policies[i];
            var key = new LevelRef(organizationId, levels[i].Level, levels[i].Id);
            if (policy == LimitPolicy.None)
            {
                if (!_policies.IsEmpty)
                {
                    _policies.TryRemove(key, out _);
                }
                continue;
            }
            if (_policies.TryGetValue(key, out var known) && known == policy)
            {
                continue;
            }
            if (_policies.Count >= MaxRemembered)
            {
                _policies.Clear();
            }
            _policies[key] = policy;
        }
    }
}
