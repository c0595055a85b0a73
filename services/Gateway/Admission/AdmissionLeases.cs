using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// In-process admission for busy callers: once a set of levels (key, user, groups, organization) is admitted in Redis
/// more than <see cref="BusyRequestsPerSecond"/> times a second, this gateway leases a block of its requests and tokens
/// (<see cref="LeaseScripts"/>: charged to every level at once, so no limit is ever exceeded) and admits that set's
/// next requests from the block without a Redis round trip, refilling it in the background when half is used and
/// giving back what is left when the set goes quiet (<see cref="AdmissionOptions.LeaseLifetime"/>). Near any limit
/// Redis grants no lease and every request is admitted exactly, one script call each, as before.
/// </summary>
/// <remarks>
/// A leased request writes nothing to Redis: its reservation id names the lease's reservation template and its own
/// estimate (<see cref="LeasedReservationId"/>), and RateLimit reconciles it like any other; its <c>x-ratelimit-remaining-*</c> are the lease's windows plus what the block still holds, which is what
/// the script would have answered on a gateway of its own. What a lease changes: another gateway sees the block as
/// used until it is used or given back (at most <see cref="AdmissionOptions.LeaseShare"/> of a limit, and only while
/// half of it is free), and a budget spent by reconciliation stops leased requests at the next refill (leases are
/// granted only below 90 % of a budget).
/// </remarks>
internal sealed partial class AdmissionLeases : IDisposable
{
    /// <summary>Below this rate of exact admissions a set gets no lease: a lease would mostly be given back.</summary>
    public const double BusyRequestsPerSecond = 10;

    private const long MinBlock = 8;
    private const long MaxBlock = 1024;
    private const int MaxSets = 50_000;

    private readonly ConcurrentDictionary<LeaseSet, Lease> _leases = new();
    private readonly RedisAdmissionController _controller;
    private readonly LastKnownPolicies _lastKnown;
    private readonly TimeProvider _time;
    private readonly ILogger<AdmissionLeases> _logger;
    private readonly bool _enabled;
    private readonly long _lifetime;
    private readonly long _busyGap;
    private readonly LeaseBounds _bounds;
    private readonly ITimer? _sweep;

    public AdmissionLeases(RedisAdmissionController controller, LastKnownPolicies lastKnown, IOptions<AdmissionOptions> options,
        TimeProvider time, ILogger<AdmissionLeases> logger)
    {
        _controller = controller;
        _lastKnown = lastKnown;
        _time = time;
        _logger = logger;
        var settings = options.Value;
        _enabled = settings.Enabled && settings.Leases;
        _lifetime = (long)(settings.LeaseLifetime.TotalSeconds * time.TimestampFrequency);
        _busyGap = (long)(time.TimestampFrequency / BusyRequestsPerSecond);
        _bounds = new LeaseBounds(settings.LeaseShare, settings.LeaseKeep, FewestRequests: MinBlock);
        if (_enabled)
        {
            var period = settings.LeaseLifetime / 2;
            _sweep = time.CreateTimer(static state => ((AdmissionLeases)state!).Sweep(), this, period, period);
        }
    }

    /// <summary>Sets with an entry (leased or watched), for tests and diagnostics.</summary>
    internal int Count => _leases.Count;

    /// <summary>Admits from the set's lease; null when it holds none that fits this request (admit in Redis then).</summary>
    public AdmissionResult? TryAdmit(string organizationId, AdmissionLevel[] levels, long tokens)
    {
        if (!_enabled || !_leases.TryGetValue(new LeaseSet(organizationId, levels), out var lease))
        {
            return null;
        }
        var now = _time.GetTimestamp();
        AdmissionLeaseGrant? grant = null;
        long leftRequests = 0, leftTokens = 0, grantedAt = 0, block = 0;
        lock (lease)
        {
            if (lease.Grant is { } current && now < lease.ExpiresAt && lease.Requests >= 1 && lease.Tokens >= tokens)
            {
                grant = current;
                grantedAt = lease.GrantedAt;
                leftRequests = --lease.Requests;
                leftTokens = lease.Tokens -= tokens;
                lease.Taken++;
                lease.LastUsed = now;
                if (leftRequests * 2 < lease.Block || leftTokens * 2 < lease.BlockTokens)
                {
                    block = lease.StartRefill(now, _lifetime, _time.TimestampFrequency);
                }
            }
            else if (lease.Grant is not null && now < lease.ExpiresAt)
            {
                // A running lease too small for this request is refilled; none, or an expired one, waits for the set to
                // prove busy again (OnAdmittedInRedis).
                block = lease.StartRefill(now, _lifetime, _time.TimestampFrequency);
            }
        }
        if (block > 0)
        {
            StartRefill(organizationId, levels, lease, block, tokens);
        }
        if (grant is null)
        {
            return null;
        }

        var nowMs = grant.NowMs + (long)_time.GetElapsedTime(grantedAt, now).TotalMilliseconds;
        return new AdmissionResult
        {
            Admitted = true,
            NowMs = nowMs,
            Requests = grant.RequestsWindow is { } requests ? requests with { Remaining = Math.Min(requests.Limit, requests.Remaining + leftRequests) } : null,
            Tokens = grant.TokensWindow is { } window ? window with { Remaining = Math.Min(window.Limit, window.Remaining + leftTokens) } : null,
            Policies = grant.Policies,
            Reservation = RedisAdmissionController.LeasedReservation(organizationId, grant, tokens),
        };
    }

    /// <summary>
    /// After a request of this set was admitted in Redis: two within 1 / <see cref="BusyRequestsPerSecond"/> s of each
    /// other start a lease sized for <see cref="AdmissionOptions.LeaseLifetime"/> of that rate.
    /// </summary>
    public void OnAdmittedInRedis(string organizationId, AdmissionLevel[] levels, long tokens)
    {
        if (!_enabled)
        {
            return;
        }
        var key = new LeaseSet(organizationId, levels);
        if (!_leases.TryGetValue(key, out var lease))
        {
            if (_leases.Count >= MaxSets)
            {
                return;
            }
            lease = _leases.GetOrAdd(key, static _ => new Lease());
        }
        var now = _time.GetTimestamp();
        long block = 0;
        lock (lease)
        {
            var last = lease.LastUsed;
            lease.LastUsed = now;
            var gap = now - last;
            if (last != 0 && gap < _busyGap && lease.Grant is null)
            {
                lease.Taken = 1;
                lease.GrantedAt = last;
                block = lease.StartRefill(now, _lifetime, _time.TimestampFrequency);
            }
        }
        if (block > 0)
        {
            StartRefill(organizationId, levels, lease, block, tokens);
        }
    }

    /// <summary>Largest request (tokens) a lease is taken for: bigger ones are rare, and a block of them would overflow.</summary>
    private const long MaxLeasedRequestTokens = 1L << 40;

    private void StartRefill(string organizationId, AdmissionLevel[] levels, Lease lease, long block, long tokensPerRequest)
    {
        if (tokensPerRequest > MaxLeasedRequestTokens)
        {
            lock (lease)
            {
                lease.Refilling = false;
            }
            return;
        }
        _ = RefillAsync(organizationId, levels, lease, block, tokensPerRequest);
    }

    private async Task RefillAsync(string organizationId, AdmissionLevel[] levels, Lease lease, long block, long tokensPerRequest)
    {
        AdmissionLeaseGrant? grant = null;
        var perRequest = Math.Max(1, tokensPerRequest);
        try
        {
            grant = await _controller.LeaseAsync(organizationId, levels, block, block * perRequest, perRequest, _bounds);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            LogLeaseFailed(_logger, exception);
        }
        var now = _time.GetTimestamp();
        Unused unused = default;
        lock (lease)
        {
            lease.Refilling = false;
            if (grant is null)
            {
                lease.RetryAt = now + _lifetime; // too near a limit (or Redis failed): exact admission meanwhile
                return;
            }
            if (lease.Removed)
            {
                unused = new Unused(grant.Requests, grant.Tokens, grant.Day);
            }
            else
            {
                if (lease.Grant is { } old && old.Day != grant.Day)
                {
                    unused = lease.Release(); // yesterday's tokens go back to yesterday
                }
                lease.Requests += grant.Requests;
                lease.Tokens += grant.Tokens;
                lease.Block = lease.Requests;
                lease.BlockTokens = lease.Tokens;
                lease.Grant = grant;
                lease.GrantedAt = now;
                lease.Taken = 0;
                lease.ExpiresAt = now + Math.Min(_lifetime, (long)(grant.DayLeft.TotalSeconds * _time.TimestampFrequency));
            }
        }
        _lastKnown.Remember(organizationId, levels, grant.Policies);
        GiveBack(organizationId, levels, unused);
    }

    /// <summary>Leases past their lifetime give back what is left; sets quiet for a while are forgotten.</summary>
    private void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, lease) in _leases)
        {
            Unused unused = default;
            var forget = false;
            lock (lease)
            {
                if (lease.Grant is not null && now >= lease.ExpiresAt)
                {
                    unused = lease.Release();
                }
                if (lease.Grant is null && !lease.Refilling && now - lease.LastUsed > 10 * _lifetime)
                {
                    lease.Removed = forget = true;
                }
            }
            if (forget)
            {
                _leases.TryRemove(key, out _);
            }
            GiveBack(key.OrganizationId, key.Levels, unused);
        }
    }

    private void GiveBack(string organizationId, AdmissionLevel[] levels, Unused unused)
    {
        if (unused.Requests > 0 || unused.Tokens > 0)
        {
            _ = GiveBackAsync(organizationId, levels, unused);
        }
    }

    private async Task GiveBackAsync(string organizationId, AdmissionLevel[] levels, Unused unused)
    {
        try
        {
            await _controller.ReturnLeaseAsync(organizationId, levels, unused.Requests, unused.Tokens, unused.Day);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            LogReturnFailed(_logger, exception, unused.Requests, unused.Tokens);
        }
    }

    /// <summary>Stops the sweep and gives back every lease's remainder (best effort: the host is stopping).</summary>
    public void Dispose()
    {
        _sweep?.Dispose();
        foreach (var (key, lease) in _leases)
        {
            Unused unused = default;
            lock (lease)
            {
                unused = lease.Release();
                lease.Removed = true;
            }
            GiveBack(key.OrganizationId, key.Levels, unused);
        }
        _leases.Clear();
    }

    private readonly record struct Unused(long Requests, long Tokens, long Day);

    /// <summary>One set's lease (guarded by locking the instance).</summary>
    private sealed class Lease
    {
        public AdmissionLeaseGrant? Grant;
        public long Requests;
        public long Tokens;
        public long Block;
        public long BlockTokens;
        public long ExpiresAt;
        public long GrantedAt;
        public long Taken;
        public long LastUsed;
        public long RetryAt;
        public bool Refilling;
        public bool Removed;

        /// <summary>Ends the running grant: what it still holds, to give back.</summary>
        public Unused Release()
        {
            var unused = Grant is { } grant ? new Unused(Requests, Tokens, grant.Day) : default;
            Grant = null;
            Requests = Tokens = 0;
            return unused;
        }

        /// <summary>The block to ask for (sized for a lifetime at the rate seen since the last grant), or 0 when a refill is running or not due.</summary>
        public long StartRefill(long now, long lifetime, long frequency)
        {
            if (Refilling || Removed || now < RetryAt)
            {
                return 0;
            }
            Refilling = true;
            var elapsed = Math.Max(now - GrantedAt, frequency / 1000);
            var rate = (double)Math.Max(Taken, 1) * frequency / elapsed;
            return Math.Clamp((long)Math.Ceiling(rate * lifetime / frequency), MinBlock, MaxBlock);
        }
    }

    /// <summary>An organization and its levels (kind and id, in order): what one lease covers.</summary>
    private readonly struct LeaseSet(string organizationId, AdmissionLevel[] levels) : IEquatable<LeaseSet>
    {
        public string OrganizationId { get; } = organizationId;

        public AdmissionLevel[] Levels { get; } = levels;

        public bool Equals(LeaseSet other)
        {
            if (Levels.Length != other.Levels.Length || !string.Equals(OrganizationId, other.OrganizationId, StringComparison.Ordinal))
            {
                return false;
            }
            for (var i = 0; i < Levels.Length; i++)
            {
                if (Levels[i].Level != other.Levels[i].Level || !string.Equals(Levels[i].Id, other.Levels[i].Id, StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is LeaseSet other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(OrganizationId, StringComparer.Ordinal);
            foreach (var level in Levels)
            {
                hash.Add(level.Level);
                hash.Add(level.Id, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "An admission lease could not be taken; requests are admitted in Redis one by one meanwhile.")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back a lease's unused {Requests} requests and {Tokens} tokens; they stay counted until their windows pass.")]
    private static partial void LogReturnFailed(ILogger logger, Exception exception, long requests, long tokens);
}
