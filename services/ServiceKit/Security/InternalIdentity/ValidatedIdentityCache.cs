using System.Collections.Concurrent;
using System.Security.Claims;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// The internal identities a service has already validated, by their exact header value: the gateway reuses one
/// signed value per caller for half its lifetime, so a busy caller's requests are recognised by one dictionary lookup
/// instead of a signature check, a JSON parse and a set of claims each. Only values that passed the full validation are
/// ever added (a forged or tampered value differs from every key, so it is never found here), the times are still
/// checked on every use, and the cache is bounded: expired values are swept out and, full, it stops adding (every
/// request is then validated in full, as without it).
/// </summary>
internal sealed class ValidatedIdentityCache(long clockSkewSeconds, long sweepIntervalSeconds)
{
    public const int Capacity = 8192;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _sweepLock = new();
    private int _count;
    private long _nextSweepAt;

    public int Count => Volatile.Read(ref _count);

    public bool TryGet(ReadOnlySpan<char> value, long now, out Entry entry)
    {
        var lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(value, out entry!))
        {
            return false;
        }
        if (IsExpired(entry, now) && lookup.TryRemove(value, out _))
        {
            Interlocked.Decrement(ref _count);
        }
        return true;
    }

    public void Add(ReadOnlySpan<char> value, string? valueString, Entry entry, long now)
    {
        // At most one sweep per interval, full or not: a full cache must not turn every miss into a walk over it.
        if (now >= Volatile.Read(ref _nextSweepAt))
        {
            Sweep(now);
        }
        if (Count < Capacity && _entries.TryAdd(valueString ?? new string(value), entry))
        {
            Interlocked.Increment(ref _count);
        }
    }

    private bool IsExpired(Entry entry, long now) => now >= entry.ExpiresAt + clockSkewSeconds;

    private void Sweep(long now)
    {
        // One sweeper at a time; the others add (or not, when full) without waiting.
        if (!_sweepLock.TryEnter())
        {
            return;
        }
        try
        {
            Volatile.Write(ref _nextSweepAt, now + sweepIntervalSeconds);
            foreach (var (value, entry) in _entries)
            {
                if (IsExpired(entry, now) && _entries.TryRemove(value, out _))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    /// <summary>A validated caller, its claims formatted once (copied into each request's principal) and its times in Unix seconds.</summary>
    public sealed record Entry(CallerIdentity Identity, Claim[] Claims, long IssuedAt, long ExpiresAt);
}
