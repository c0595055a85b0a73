using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// The in-process layer: verdicts by SHA-256 of the full key, verified keys for <see cref="ApiKeyOptions.CacheTtl"/>
/// and refused ones for <see cref="ApiKeyOptions.NegativeCacheTtl"/>, at most <see cref="ApiKeyOptions.CacheCapacity"/>
/// entries. A key id → hash index lets a revocation (by key id) drop the entry within milliseconds.
/// </summary>
/// <remarks>
/// Reads are one dictionary lookup on a struct key and a timestamp comparison. Expired entries go when met, on a
/// sweep at most once per <see cref="ApiKeyOptions.NegativeCacheTtl"/> triggered by a write, and when the capacity
/// is reached (then arbitrary live entries go too: a refill costs one Redis round trip, not a bcrypt).
/// </remarks>
internal sealed class ApiKeyCache
{
    private readonly ConcurrentDictionary<KeyHash, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, KeyHash> _verifiedByKeyId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _recentEvictions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _positiveTtl;
    private readonly long _negativeTtl;
    private readonly long _evictionMemory;
    private readonly int _capacity;
    private int _count;
    private int _sweeping;
    private long _nextSweep;

    /// <summary>When <see cref="ClearVerified"/> last ran: every key id counts as evicted then (<see cref="long.MinValue"/>: never).</summary>
    private long _allEvictedAt = long.MinValue;
    private int _trimmingEvictions;
    private long _nextEvictionTrim;

    public ApiKeyCache(IOptions<ApiKeyOptions> options, TimeProvider time)
    {
        _time = time;
        _positiveTtl = ToTimestampTicks(options.Value.CacheTtl);
        _negativeTtl = ToTimestampTicks(options.Value.NegativeCacheTtl);
        // Remember a revocation for longer than any verification can take, so a late answer cannot resurrect the key.
        _evictionMemory = ToTimestampTicks(options.Value.VerifyTimeout + TimeSpan.FromSeconds(30));
        _capacity = options.Value.CacheCapacity;
        _nextSweep = time.GetTimestamp() + _negativeTtl;
        _nextEvictionTrim = _nextSweep;
    }

    public int Count => Volatile.Read(ref _count);

    public long Now => _time.GetTimestamp();

    /// <summary>A live verdict for <paramref name="hash"/>, verified (<see cref="ApiKeyVerification.Key"/> set) or refused.</summary>
    public bool TryGet(in KeyHash hash, out ApiKeyVerification verdict)
    {
        if (_entries.TryGetValue(hash, out var entry))
        {
            if (entry.ExpiresAt > _time.GetTimestamp())
            {
                verdict = entry.Verdict;
                return true;
            }
            Remove(hash, entry);
        }
        verdict = default;
        return false;
    }

    /// <summary>
    /// Caches a verified key unless its key id was evicted after <paramref name="verificationStarted"/> (a revocation
    /// that raced the verification): then nothing stays cached and the answer is <see langword="false"/>.
    /// </summary>
    public bool SetVerified(CachedApiKey key, long verificationStarted)
    {
        var entry = new Entry(ApiKeyVerification.Valid(key), _time.GetTimestamp() + _positiveTtl);
        Set(key.Hash, entry);
        _verifiedByKeyId[key.KeyId] = key.Hash;
        // Written first, checked second; Evict records first, removes second: one of the two sees the other.
        if (WasEvictedSince(key.KeyId, verificationStarted))
        {
            Evict(key.KeyId);
            return false;
        }
        return true;
    }

    public void SetRefused(in KeyHash hash, ApiKeyVerification verdict) =>
        Set(hash, new Entry(verdict, _time.GetTimestamp() + _negativeTtl));

    public void Remove(in KeyHash hash)
    {
        if (_entries.TryGetValue(hash, out var entry))
        {
            Remove(hash, entry);
        }
    }

    /// <summary>Drops the verified entry of <paramref name="keyId"/> (revocation) and remembers when, for <see cref="WasEvictedSince"/>.</summary>
    public void Evict(string keyId)
    {
        var now = _time.GetTimestamp();
        _recentEvictions[keyId] = now;
        if (_verifiedByKeyId.TryRemove(keyId, out var hash))
        {
            Remove(hash);
        }
        if (now >= Volatile.Read(ref _nextEvictionTrim))
        {
            TrimEvictions(now);
        }
    }

    public bool WasEvictedSince(string keyId, long timestamp) =>
        Volatile.Read(ref _allEvictedAt) >= timestamp ||
        (_recentEvictions.TryGetValue(keyId, out var at) && at >= timestamp);

    /// <summary>
    /// Drops every verified entry: after a lost Redis subscription, evictions may have been missed. One timestamp
    /// stands for "every key id evicted now" (<see cref="WasEvictedSince"/> reads it), so this is one pass over the
    /// verified entries however many there are, and <c>_recentEvictions</c> does not grow by one per key.
    /// </summary>
    public void ClearVerified()
    {
        // Recorded first, removed second, as in Evict: a SetVerified racing this sees one or the other.
        var now = _time.GetTimestamp();
        InterlockedMax(ref _allEvictedAt, now);
        foreach (var (keyId, hash) in _verifiedByKeyId)
        {
            _verifiedByKeyId.TryRemove(new KeyValuePair<string, KeyHash>(keyId, hash));
            Remove(hash);
        }
    }

    /// <summary>
    /// Forgets evictions older than the verification they guard against, at most once per
    /// <see cref="ApiKeyOptions.NegativeCacheTtl"/>: one pass amortised over every eviction in that time, never one
    /// pass per eviction.
    /// </summary>
    private void TrimEvictions(long now)
    {
        if (now < Volatile.Read(ref _nextEvictionTrim) || Interlocked.Exchange(ref _trimmingEvictions, 1) == 1)
        {
            return;
        }
        try
        {
            Volatile.Write(ref _nextEvictionTrim, now + _negativeTtl);
            foreach (var (evictedKeyId, at) in _recentEvictions)
            {
                if (now - at > _evictionMemory)
                {
                    _recentEvictions.TryRemove(new KeyValuePair<string, long>(evictedKeyId, at));
                }
            }
        }
        finally
        {
            Volatile.Write(ref _trimmingEvictions, 0);
        }
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (current < value)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    private void Set(in KeyHash hash, Entry entry)
    {
        if (_entries.TryAdd(hash, entry))
        {
            if (Interlocked.Increment(ref _count) > _capacity)
            {
                Trim(force: true);
            }
        }
        else
        {
            _entries[hash] = entry;
        }
        if (_time.GetTimestamp() > Volatile.Read(ref _nextSweep))
        {
            Trim(force: false);
        }
    }

    private void Remove(in KeyHash hash, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<KeyHash, Entry>(hash, entry)))
        {
            Interlocked.Decrement(ref _count);
            if (entry.Verdict.Key is { } key)
            {
                _verifiedByKeyId.TryRemove(new KeyValuePair<string, KeyHash>(key.KeyId, hash));
            }
        }
    }

    /// <summary>Removes expired entries and, when <paramref name="force"/>d by the capacity, live ones down to 90 %.</summary>
    private void Trim(bool force)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }
        try
        {
            var now = _time.GetTimestamp();
            Volatile.Write(ref _nextSweep, now + _negativeTtl);
            foreach (var (hash, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                {
                    Remove(hash, entry);
                }
            }
            var target = _capacity / 10 * 9;
            if (force && Count > target)
            {
                foreach (var (hash, entry) in _entries)
                {
                    if (Count <= target)
                    {
                        break;
                    }
                    Remove(hash, entry);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>Compared by reference, so removing "this entry" never removes a newer one for the same hash.</summary>
    private sealed class Entry(ApiKeyVerification verdict, long expiresAt)
    {
        public ApiKeyVerification Verdict { get; } = verdict;

        public long ExpiresAt { get; } = expiresAt;
    }
}
