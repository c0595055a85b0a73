using System.Collections.Concurrent;

namespace Synaxis.ServiceKit.Admission;

/// <summary>
/// Values worth building once per key on the hot path (admission's Redis keys, id strings): the same callers come
/// back all the time. Bounded: when full it starts over (a rebuild is cheap), so a flood of distinct keys cannot grow it.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int maxEntries) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        if (_entries.TryGetValue(key, out var value))
        {
            return value;
        }
        value = create(key);
        if (_entries.Count >= maxEntries)
        {
            _entries.Clear();
        }
        _entries[key] = value;
        return value;
    }
}
