using StackExchange.Redis;

namespace Synaxis.ServiceKit.Admission;

/// <summary>
/// Admission against Redis: one EVALSHA of <see cref="AdmissionScripts.Admission"/> per request (one round trip),
/// and one of <see cref="AdmissionScripts.Reconcile"/> after the response. Scripts are loaded once on every server;
/// a NOSCRIPT answer (restart, failover, SCRIPT FLUSH) reloads them and retries once.
/// </summary>
public sealed partial class RedisAdmissionController
{
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeSpan _reservationTtl;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private volatile Shas? _shas;

    public RedisAdmissionController(IConnectionMultiplexer redis, TimeSpan? reservationTtl = null)
    {
        _redis = redis;
        _reservationTtl = reservationTtl ?? DefaultReservationTtl;
    }

    /// <summary>
    /// How long an unreconciled reservation waits for its usage report: longer than any answer should take. After it,
    /// the estimate simply stays charged (the conservative side).
    /// </summary>
    public static readonly TimeSpan DefaultReservationTtl = TimeSpan.FromMinutes(15);

    /// <summary>How long a reconciled reservation is kept, to answer a redelivered report "already".</summary>
    public static readonly TimeSpan ReconciledTtl = TimeSpan.FromMinutes(5);

    /// <summary>Loads the scripts now (optional: the first admission does it otherwise).</summary>
    public Task EnsureLoadedAsync() => GetShasAsync(null);

    public async Task<AdmissionResult> AdmitAsync(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Levels.Count is 0 or > MaxLevels)
        {
            throw new ArgumentException($"Between 1 and {MaxLevels} levels are required.", nameof(request));
        }
        if (request.EstimatedTokens < 0 || request.EstimatedCostMicroUsd < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "Estimates cannot be negative.");
        }
        if (string.IsNullOrEmpty(request.ReservationId))
        {
            throw new ArgumentException("A reservation id is required.", nameof(request));
        }

        var n = request.Levels.Count;
        var keys = new RedisKey[2 * n + 1];
        var args = new RedisValue[5 + 6 * n];
        args[0] = request.NowMs is { } now ? now : RedisValue.EmptyString;
        args[1] = request.EstimatedTokens;
        args[2] = request.EstimatedCostMicroUsd;
        args[3] = (long)_reservationTtl.TotalMilliseconds;
        args[4] = n;
        FillLevelKeys(keys, request.OrganizationId, request.Levels);
        for (var i = 0; i < n; i++)
        {
            var level = request.Levels[i];
            var b = 5 + 6 * i;
            args[b] = level.Level.ToWire();
            if (level.Policy is not { } policy)
            {
                args[b + 1] = MirrorSource;
                args[b + 2] = args[b + 3] = args[b + 4] = args[b + 5] = RedisValue.EmptyString;
                continue;
            }
            policy.Validate();
            args[b + 1] = PassedSource;
            args[b + 2] = Optional(policy.RequestsPerMinute);
            args[b + 3] = Optional(policy.TokensPerMinute);
            args[b + 4] = Optional(policy.TokensPerDay);
            args[b + 5] = Optional(policy.MonthlyBudgetUsd is { } usd ? MicroUsd.FromUsd(usd) : null);
        }
        keys[2 * n] = AdmissionKeys.Reservation(request.OrganizationId, request.ReservationId);

        var reply = (RedisResult[])(await EvaluateAsync(s => s.Admission, AdmissionScripts.Admission, keys, args))!;
        var admitted = (long)reply[0] == 1;
        var result = new AdmissionResult
        {
            Admitted = admitted,
            NowMs = (long)reply[4],
            Requests = Window(request.Levels, reply, 5),
            Tokens = Window(request.Levels, reply, 9),
            Policies = Policies(reply, PoliciesAt, n),
        };
        if (admitted)
        {
            return (long)reply[13] == 0 ? result : result with
            {
                Reservation = new AdmissionReservation(request.OrganizationId, request.ReservationId, LevelKeyStrings(keys, n)),
            };
        }

        var refused = request.Levels[(int)(long)reply[1] - 1];
        var retry = (long)reply[3];
        return result with
        {
            RefusedLevel = refused.Level,
            RefusedLevelId = refused.Id,
            RefusedKind = LimitNames.ParseKind((string)reply[2]!),
            RetryAfter = retry < 0 ? null : TimeSpan.FromMilliseconds(retry),
        };
    }

    /// <summary>
    /// Corrects every level's tokens/min, tokens/day and budget by (actual − reserved); exactly once per reservation.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(
        AdmissionReservation reservation, long actualTokens, long actualCostMicroUsd, long? nowMs = null)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCostMicroUsd);
        // A leased request's reservation is its lease's template plus the estimate its id carries.
        var leased = LeasedReservationId.TryParse(reservation.ReservationId, out var leaseId, out var reserved);
        var keys = new RedisKey[reservation.LevelKeys.Count + (leased ? 2 : 1)];
        keys[0] = AdmissionKeys.Reservation(reservation.OrganizationId, reservation.ReservationId);
        for (var i = 0; i < reservation.LevelKeys.Count; i++)
        {
            keys[i + 1] = reservation.LevelKeys[i];
        }
        RedisValue now = nowMs is { } ms ? ms : RedisValue.EmptyString;
        RedisValue[] args = [now, actualTokens, actualCostMicroUsd, (long)ReconciledTtl.TotalMilliseconds];
        if (leased)
        {
            keys[^1] = AdmissionKeys.LeaseTemplate(reservation.OrganizationId, leaseId);
            args = [.. args, reserved];
        }
        var reply = (RedisResult[])(await EvaluateAsync(s => s.Reconcile, AdmissionScripts.Reconcile, keys, args))!;
        var outcome = (string)reply[1]! switch
        {
            "reconciled" => ReconcileOutcome.Reconciled,
            "already" => ReconcileOutcome.AlreadyReconciled,
            _ => ReconcileOutcome.Missing,
        };
        return new ReconcileResult(outcome, (long)reply[2], (long)reply[3]);
    }

    /// <summary>
    /// Reconciles a reservation known only by its id (what Routing reports): reads the levels it charged (from the
    /// reservation, or for a leased request from its lease's template), then runs <see cref="AdmissionScripts.Reconcile"/>.
    /// Two round trips, off the hot path.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(
        string organizationId, string reservationId, long actualTokens, long actualCostMicroUsd, long? nowMs = null)
    {
        var key = LeasedReservationId.TryParse(reservationId, out var leaseId, out _)
            ? AdmissionKeys.LeaseTemplate(organizationId, leaseId)
            : AdmissionKeys.Reservation(organizationId, reservationId);
        var fields = await _redis.GetDatabase().HashGetAllAsync(key);
        if (fields.Length == 0)
        {
            return new ReconcileResult(ReconcileOutcome.Missing, 0, 0);
        }
        var map = fields.ToDictionary(f => (string)f.Name!, f => f.Value, StringComparer.Ordinal);
        if (!map.TryGetValue("n", out var count) || !count.TryParse(out int n) || n < 1 || n > MaxLevels)
        {
            return new ReconcileResult(ReconcileOutcome.Missing, 0, 0);
        }
        // Level keys are stored without the organization's prefix (see the admission script).
        var prefix = "rl:" + AdmissionKeys.HashTag(organizationId) + ":";
        var levelKeys = new string[n];
        for (var i = 0; i < n; i++)
        {
            if (!map.TryGetValue("k" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), out var levelKey) || levelKey.IsNullOrEmpty)
            {
                return new ReconcileResult(ReconcileOutcome.Missing, 0, 0);
            }
            levelKeys[i] = prefix + levelKey;
        }
        return await ReconcileAsync(new AdmissionReservation(organizationId, reservationId, levelKeys), actualTokens, actualCostMicroUsd, nowMs);
    }

    /// <summary>Each level's counters hash at [i] and its policy mirror at [n + i].</summary>
    private static void FillLevelKeys(RedisKey[] keys, string organizationId, IReadOnlyList<AdmissionLevel> levels)
    {
        var n = levels.Count;
        for (var i = 0; i < n; i++)
        {
            var level = levels[i];
            (keys[i], keys[n + i]) = LevelKeys.GetOrAdd((organizationId, level.Level, level.Id), static level =>
                (AdmissionKeys.Level(level.OrganizationId, level.Level, level.Id), AdmissionKeys.Policy(level.OrganizationId, level.Level, level.Id)));
        }
    }

    /// <summary>Each level's counters and policy-mirror keys, built once per level rather than twice per admission.</summary>
    private static readonly BoundedCache<(string OrganizationId, LimitLevel Level, string Id), (RedisKey Counters, RedisKey Policy)> LevelKeys = new(100_000);

    /// <summary>A caller has a key, a user, an organization and its groups; more levels than this is a bug or an attack.</summary>
    public const int MaxLevels = 64;

    private const int PoliciesAt = 14;
    private static readonly RedisValue MirrorSource = "m";
    private static readonly RedisValue PassedSource = "p";

    private static RedisValue Optional(long? value) => value is { } v ? v : RedisValue.EmptyString;

    private static LimitPolicy[] Policies(RedisResult[] reply, int at, int n)
    {
        var policies = new LimitPolicy[n];
        for (var i = 0; i < n; i++)
        {
            var b = at + 4 * i;
            var budget = Number(reply[b + 3]);
            policies[i] = new LimitPolicy(Number(reply[b]), Number(reply[b + 1]), Number(reply[b + 2]),
                budget is { } micro ? MicroUsd.ToUsd(micro) : null);
        }
        return policies;
    }

    /// <summary>A policy value of the reply ('' = none), parsed from its bytes without making a string of it.</summary>
    private static long? Number(RedisResult value) => ((RedisValue)value).TryParse(out long v) ? v : null;

    private static string[] LevelKeyStrings(RedisKey[] keys, int n)
    {
        var levelKeys = new string[n];
        for (var i = 0; i < n; i++)
        {
            levelKeys[i] = (string)keys[i]!;
        }
        return levelKeys;
    }

    private static RateLimitWindow? Window(IReadOnlyList<AdmissionLevel> levels, RedisResult[] reply, int at)
    {
        var index = (long)reply[at];
        if (index == 0)
        {
            return null;
        }
        var level = levels[(int)index - 1];
        return new RateLimitWindow(
            level.Level,
            level.Id,
            (long)reply[at + 1],
            (long)reply[at + 2],
            TimeSpan.FromMilliseconds((long)reply[at + 3]));
    }

    private async Task<RedisResult> EvaluateAsync(
        Func<Shas, byte[]> pick, string script, RedisKey[] keys, RedisValue[] args)
    {
        var shas = _shas ?? await GetShasAsync(null);
        try
        {
            return await _redis.GetDatabase().ScriptEvaluateAsync(pick(shas), keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            shas = await GetShasAsync(shas);
            return await _redis.GetDatabase().ScriptEvaluateAsync(pick(shas), keys, args);
        }
    }

    /// <summary>Loads both scripts on every server; <paramref name="stale"/> forces a reload if it is still current.</summary>
    private async Task<Shas> GetShasAsync(Shas? stale)
    {
        var current = _shas;
        if (current is not null && !ReferenceEquals(current, stale))
        {
            return current;
        }
        await _loadLock.WaitAsync();
        try
        {
            current = _shas;
            if (current is not null && !ReferenceEquals(current, stale))
            {
                return current;
            }
            byte[]? admission = null, reconcile = null, lease = null, giveBack = null;
            foreach (var server in _redis.GetServers())
            {
                if (!server.IsConnected)
                {
                    continue;
                }
                admission = await server.ScriptLoadAsync(AdmissionScripts.Admission);
                reconcile = await server.ScriptLoadAsync(AdmissionScripts.Reconcile);
                lease = await server.ScriptLoadAsync(LeaseScripts.Lease);
                giveBack = await server.ScriptLoadAsync(LeaseScripts.Return);
            }
            if (admission is null || reconcile is null || lease is null || giveBack is null)
            {
                throw new InvalidOperationException("No connected Redis server to load the admission scripts on.");
            }
            return _shas = new Shas(admission, reconcile, lease, giveBack);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private sealed record Shas(byte[] Admission, byte[] Reconcile, byte[] Lease, byte[] Return);
}
