using StackExchange.Redis;

namespace Synaxis.ServiceKit.Admission;

/// <summary>Admission leases: <see cref="LeaseScripts"/> from C#.</summary>
public sealed partial class RedisAdmissionController
{
    private const int LeasePoliciesAt = 16;

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
        var keys = new RedisKey[2 * n + 1];
        FillLevelKeys(keys, organizationId, levels);
        var leaseId = Guid.CreateVersion7().ToString("N");
        keys[2 * n] = AdmissionKeys.LeaseTemplate(organizationId, leaseId);
        RedisValue[] args =
        [
            nowMs is { } now ? now : RedisValue.EmptyString, n, requests, tokens, tokensPerRequest,
            bounds.Share, bounds.Keep, bounds.BudgetKeep, bounds.FewestRequests, (long)_reservationTtl.TotalMilliseconds,
        ];
        var reply = (RedisResult[])(await EvaluateAsync(s => s.Lease, LeaseScripts.Lease, keys, args))!;
        if ((long)reply[0] != 1)
        {
            return null;
        }
        return new AdmissionLeaseGrant
        {
            LeaseId = leaseId,
            Reconcilable = (long)reply[15] == 1,
            NowMs = (long)reply[1],
            Requests = (long)reply[2],
            Tokens = (long)reply[3],
            Day = (long)reply[4],
            DayLeft = TimeSpan.FromMilliseconds((long)reply[6]),
            RequestsWindow = Window(levels, reply, 7),
            TokensWindow = Window(levels, reply, 11),
            Policies = Policies(reply, LeasePoliciesAt, n),
            LevelKeys = LevelKeyStrings(keys, n),
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
    /// The reservation of a request admitted from a lease: its id names the lease's template and the request's estimate
    /// (<see cref="LeasedReservationId"/>), and nothing is written (the request is counted in the lease already; its
    /// reconciliation records it). Null when the lease has nothing to reconcile.
    /// </summary>
    public static AdmissionReservation? LeasedReservation(string organizationId, AdmissionLeaseGrant grant, long tokens)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return grant.Reconcilable
            ? new AdmissionReservation(organizationId, LeasedReservationId.Create(grant.LeaseId, tokens), grant.LevelKeys)
            : null;
    }
}
