using System.Collections.Concurrent;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// Which keys were used since the last flush. A request costs one volatile read once its key is already marked;
/// the first use per interval queues the key. <see cref="LastUsedFlusher"/> drains the queue into Redis.
/// </summary>
internal sealed class LastUsedRecorder
{
    /// <summary>Past this many distinct pending keys (Redis unreachable for long), new uses are not recorded.</summary>
    private const int MaxPending = 200_000;

    private readonly ConcurrentQueue<CachedApiKey> _used = new();
    private int _pending;

    public void Record(CachedApiKey key)
    {
        if (key.TryMarkUsed())
        {
            if (Interlocked.Increment(ref _pending) > MaxPending)
            {
                Interlocked.Decrement(ref _pending);
                key.ClearUsed();
                return;
            }
            _used.Enqueue(key);
        }
    }

    /// <summary>The distinct key ids used since the last drain; their keys may be recorded again from now on.</summary>
    public HashSet<string> Drain()
    {
        var keyIds = new HashSet<string>(StringComparer.Ordinal);
        while (_used.TryDequeue(out var key))
        {
            Interlocked.Decrement(ref _pending);
            key.ClearUsed();
            keyIds.Add(key.KeyId);
        }
        return keyIds;
    }
}
