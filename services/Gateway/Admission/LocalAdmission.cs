using Synaxis.ServiceKit.Admission;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// This instance's own limiter for while Redis is down (open failure mode): the same GCRA for requests and tokens
/// per minute and a UTC-day counter for tokens per day, at <see cref="AdmissionOptions.LocalShare"/> of each
/// last-known limit (at least 1). All levels pass or nothing is counted, as in Redis. One lock: this path only runs
/// during an outage, where simplicity beats throughput.
/// </summary>
internal sealed class LocalAdmission(TimeProvider time)
{
    private const long WindowMs = 60_000;
    private const int MaxTracked = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<LevelRef, LevelState> _levels = new();

    /// <param name="policies">The last-known policy of each level.</param>
    public AdmissionResult Admit(IReadOnlyList<LevelRef> levelKeys, IReadOnlyList<AdmissionLevel> levels, IReadOnlyList<LimitPolicy> policies, long tokens, double share)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens); // a negative reservation would hand tokens back
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var day = now / 86_400_000;
        lock (_lock)
        {
            if (_levels.Count > MaxTracked)
            {
                _levels.Clear(); // an outage long enough to see this many callers: forget, rather than grow without bound
            }
            var states = new LevelState[levelKeys.Count];
            RateLimitWindow? requests = null, tokenWindow = null;
            for (var i = 0; i < states.Length; i++)
            {
                if (!_levels.TryGetValue(levelKeys[i], out var state))
                {
                    _levels[levelKeys[i]] = state = new LevelState();
                }
                states[i] = state;
                var p = policies[i];
                if (p.RequestsPerMinute is { } rpm && !Fits(state.RequestsTat, Share(rpm, share), 1, now, out var retry))
                {
                    return Refused(levels[i], LimitKind.Requests, retry, now);
                }
                if (p.TokensPerMinute is { } tpm)
                {
                    var limit = Share(tpm, share);
                    if (tokens > limit)
                    {
                        return Refused(levels[i], LimitKind.Tokens, null, now);
                    }
                    if (!Fits(state.TokensTat, limit, tokens, now, out retry))
                    {
                        return Refused(levels[i], LimitKind.Tokens, retry, now);
                    }
                }
                if (p.TokensPerDay is { } tpd)
                {
                    var used = state.Day == day ? state.DayUsed : 0;
                    var limit = tpd == 0 ? 0 : Share(tpd, share); // a day limit of 0 is "nothing", not "one"
                    if (used + tokens > limit)
                    {
                        // As in Redis: a request larger than the whole day never passes, so no retry time.
                        return Refused(levels[i], LimitKind.TokensDay,
                            tokens > limit ? null : TimeSpan.FromMilliseconds((day + 1) * 86_400_000 - now), now);
                    }
                }
            }
            for (var i = 0; i < states.Length; i++)
            {
                var state = states[i];
                var p = policies[i];
                if (p.RequestsPerMinute is { } rpm)
                {
                    var limit = Share(rpm, share);
                    state.RequestsTat = Math.Max(state.RequestsTat, now) + WindowMs / (double)limit;
                    requests = Tighter(requests, Window(levels[i], limit, state.RequestsTat, now));
                }
                if (p.TokensPerMinute is { } tpm)
                {
                    var limit = Share(tpm, share);
                    state.TokensTat = Math.Max(state.TokensTat, now) + tokens * WindowMs / (double)limit;
                    tokenWindow = Tighter(tokenWindow, Window(levels[i], limit, state.TokensTat, now));
                }
                if (p.TokensPerDay is not null)
                {
                    state.DayUsed = (state.Day == day ? state.DayUsed : 0) + tokens;
                    state.Day = day;
                }
            }
            return new AdmissionResult { Admitted = true, NowMs = now, Requests = requests, Tokens = tokenWindow, Policies = policies };
        }
    }

    private static long Share(long limit, double share) => Math.Max(1, (long)Math.Floor(limit * share));

    /// <summary>GCRA: a cost of <paramref name="cost"/> fits when the new theoretical arrival time stays within one window.</summary>
    private static bool Fits(double tat, long limit, long cost, long now, out TimeSpan? retry)
    {
        var next = Math.Max(tat, now) + cost * WindowMs / (double)limit;
        var excess = next - now - WindowMs;
        retry = excess > 0 ? TimeSpan.FromMilliseconds(Math.Ceiling(excess)) : null;
        return excess <= 0;
    }

    private static RateLimitWindow Window(AdmissionLevel level, long limit, double tat, long now)
    {
        var backlogMs = Math.Max(0, tat - now);
        var remaining = Math.Max(0, (long)Math.Floor((WindowMs - backlogMs) * limit / WindowMs));
        return new RateLimitWindow(level.Level, level.Id, limit, remaining, TimeSpan.FromMilliseconds(Math.Ceiling(backlogMs)));
    }

    private static RateLimitWindow Tighter(RateLimitWindow? current, RateLimitWindow candidate) =>
        current is null || candidate.Remaining < current.Remaining || (candidate.Remaining == current.Remaining && candidate.Limit < current.Limit)
            ? candidate
            : current;

    private static AdmissionResult Refused(AdmissionLevel level, LimitKind kind, TimeSpan? retry, long now) => new()
    {
        Admitted = false,
        RefusedLevel = level.Level,
        RefusedLevelId = level.Id,
        RefusedKind = kind,
        RetryAfter = retry,
        NowMs = now,
    };

    private sealed class LevelState
    {
        public double RequestsTat;
        public double TokensTat;
        public long Day = -1;
        public long DayUsed;
    }
}
