using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Synaxis.ServiceKit.Admission;

/// <summary>
/// The two Redis keys of each level (its counters and its policy mirror), built once per level instead of twice per
/// admission: the same callers come back all the time. Bounded: when full it starts over (a rebuild costs two
/// strings), so a flood of distinct ids cannot grow it.
/// </summary>
internal static class LevelKeyCache
{
    private const int MaxEntries = 100_000;

    private static readonly ConcurrentDictionary<(string OrganizationId, LimitLevel Level, string Id), (RedisKey Level, RedisKey Policy)> Keys = new();

    public static (RedisKey Level, RedisKey Policy) Get(string organizationId, LimitLevel level, string id)
    {
        if (Keys.TryGetValue((organizationId, level, id), out var keys))
        {
            return keys;
        }
        keys = (AdmissionKeys.Level(organizationId, level, id), AdmissionKeys.Policy(organizationId, level, id));
        if (Keys.Count >= MaxEntries)
        {
            Keys.Clear();
        }
        Keys[(organizationId, level, id)] = keys;
        return keys;
    }
}
