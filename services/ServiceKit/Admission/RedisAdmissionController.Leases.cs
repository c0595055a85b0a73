using System.Globalization;
using StackExchange.Redis;

namespace Synaxis.ServiceKit.Admission;

/// <summary>Admission leases: <see cref="LeaseScripts"/> from C#.</summary>
public sealed partial class RedisAdmissionController
{
    private const int LeasePoliciesAt = 15;

    /// <summary>
    /// Charges a block of <paramref name="requests"/> requests and <paramref name="tokens"/> tokens to every level at
    /// once (each cut down to <see cref="LeaseBounds.Share"/> of its limits); null when the levels are too near a limit
    /// for any lease, or the block would hold fewer than <see cref="LeaseBounds.FewestRequests"/> requests of
    /// <paramref name="tokensPerRequest"/> tokens.
    /// </summary>
    public async Task<AdmissionLeaseGrant?> LeaseAsync(string organizationId, IReadOnlyList<AdmissionLevel> levels,
        long requests, long tokens, long tokensPerRequest, LeaseBounds bounds, long? nowMs = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(bounds);
        if (levels.Count is 0 or > MaxLevels)
        {
            throw new ArgumentException($"Between 1 and {MaxLevels} levels are required.", nameof(levels));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(tokensPerRequest);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, tokensPerRequest);
        var n = levels.Count;
        var keys = new RedisKey[2 * n];
        FillLevelKeys(keys, organizationId, levels);
        RedisValue[] args =
        [
            nowMs is { } now ? now : RedisValue.EmptyString, n, requests, tokens, tokensPerRequest,
            bounds.Share, bounds.Keep, bounds.BudgetKeep, bounds.FewestRequests,
        ];
        var reply = (RedisResult[])(await EvaluateAsync(s => s.Lease, LeaseScripts.Lease, keys, args))!;
        if ((long)reply[0] != 1)
        {
            return null;
        }
        var policies = Policies(reply, LeasePoliciesAt, n);
        var levelKeys = LevelKeyStrings(keys, n);
        var day = (long)reply[4];
        return new AdmissionLeaseGrant
        {
            NowMs = (long)reply[1],
            Requests = (long)reply[2],
            Tokens = (long)reply[3],
            Day = day,
            DayLeft = TimeSpan.FromMilliseconds((long)reply[6]),
            RequestsWindow = Window(levels, reply, 7),
            TokensWindow = Window(levels, reply, 11),
            Policies = policies,
            LevelKeys = levelKeys,
            ReservationFields = ReservationFields(organizationId, levelKeys, policies, day, (long)reply[5]),
        };
    }

    /// <summary>Gives back what a lease did not use (<see cref="LeaseScripts.Return"/>).</summary>
    public async Task ReturnLeaseAsync(string organizationId, IReadOnlyList<AdmissionLevel> levels, long requests, long tokens, long day,
        long? nowMs = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (requests == 0 && tokens == 0)
        {
            return;
        }
        var n = levels.Count;
        var keys = new RedisKey[2 * n];
        FillLevelKeys(keys, organizationId, levels);
        RedisValue[] args = [nowMs is { } now ? now : RedisValue.EmptyString, n, requests, tokens, day];
        await EvaluateAsync(s => s.Return, LeaseScripts.Return, keys, args);
    }

    /// <summary>
    /// Records the reservation of a request admitted from a lease, as the admission script would have (so RateLimit
    /// reconciles it the same way), without waiting for Redis: the request is already counted in the lease. Nothing is
    /// written when the lease has nothing to reconcile.
    /// </summary>
    /// <returns>The reservation to forward, or null.</returns>
    public AdmissionReservation? RecordLeasedReservation(string organizationId, AdmissionLeaseGrant grant, string reservationId, long tokens, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (grant.ReservationFields is not { } template)
        {
            return null;
        }
        var fields = (HashEntry[])template.Clone();
        fields[1] = new HashEntry(fields[1].Name, tokens);
        fields[4] = new HashEntry(fields[4].Name, nowMs);
        var key = AdmissionKeys.Reservation(organizationId, reservationId);
        try
        {
            var db = _redis.GetDatabase();
            _ = db.HashSetAsync(key, fields, CommandFlags.FireAndForget);
            _ = db.KeyExpireAsync(key, _reservationTtl, CommandFlags.FireAndForget);
        }
        catch (Exception exception) when (exception is RedisException or ObjectDisposedException)
        {
            // Unrecorded, the reservation reconciles as "missing": its estimate stays charged (the conservative side).
        }
        return new AdmissionReservation(organizationId, reservationId, grant.LevelKeys);
    }

    /// <summary>The admission script's reservation fields for this set of levels; null when nothing is reconcilable.</summary>
    private static HashEntry[]? ReservationFields(string organizationId, IReadOnlyList<string> levelKeys, IReadOnlyList<LimitPolicy> policies,
        long day, long month)
    {
        var prefix = "rl:" + AdmissionKeys.HashTag(organizationId) + ":";
        var fields = new List<HashEntry>
        {
            new("n", levelKeys.Count), new("tokens", 0), new("cost", 0), new("state", "reserved"), new("at", 0),
        };
        var reconcilable = false;
        for (var i = 0; i < levelKeys.Count; i++)
        {
            var index = (i + 1).ToString(CultureInfo.InvariantCulture);
            fields.Add(new HashEntry("k" + index, levelKeys[i][prefix.Length..]));
            var policy = policies[i];
            if (policy.TokensPerMinute is { } tpm)
            {
                fields.Add(new HashEntry("tpm" + index, tpm));
                reconcilable = true;
            }
            if (policy.TokensPerDay is not null)
            {
                fields.Add(new HashEntry("day" + index, day));
                reconcilable = true;
            }
            if (policy.MonthlyBudgetUsd is not null)
            {
                fields.Add(new HashEntry("mon" + index, month));
                reconcilable = true;
            }
        }
        return reconcilable ? [.. fields] : null;
    }
}
