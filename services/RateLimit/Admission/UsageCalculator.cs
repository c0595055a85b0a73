using Synaxis.ServiceKit.Admission;
using System.Globalization;

namespace Synaxis.RateLimit.Admission;

/// <summary>A per-minute GCRA limit as it stands: what is left now and when the backlog is gone.</summary>
public sealed record WindowUsage(long Limit, long Remaining, TimeSpan Reset);

/// <summary>A fixed UTC-calendar quota (tokens per day, or the monthly budget in micro-USD).</summary>
public sealed record PeriodUsage(long Limit, long Used, long Remaining, DateTimeOffset ResetsAt);

public sealed record LevelUsage(WindowUsage? Requests, WindowUsage? Tokens, PeriodUsage? TokensToday, PeriodUsage? BudgetMicroUsd);

/// <summary>
/// Reads one level's admission counters (the hash <see cref="AdmissionKeys.Level"/>) the way
/// <see cref="AdmissionScripts.Admission"/> does. Pure: the counters, the policy and the clock go in.
/// </summary>
public static class UsageCalculator
{
    public const long MinuteMs = 60_000;
    public const long DayMs = 86_400_000;

    public static LevelUsage Compute(IReadOnlyDictionary<string, string> counters, LimitPolicy policy, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(policy);
        var requests = policy.RequestsPerMinute is { } rpm ? Window(counters, "rq_d", "rq_at", rpm, nowMs) : null;
        var tokens = policy.TokensPerMinute is { } tpm ? Window(counters, "tk_d", "tk_at", tpm, nowMs) : null;

        var now = DateTimeOffset.FromUnixTimeMilliseconds(nowMs);
        PeriodUsage? day = null;
        if (policy.TokensPerDay is { } tpd)
        {
            var today = Floor(nowMs, DayMs);
            var used = Number(counters, "day") == today ? Math.Max(0, Number(counters, "day_used") ?? 0) : 0;
            day = new PeriodUsage(tpd, used, Math.Max(0, tpd - used), DateTimeOffset.FromUnixTimeMilliseconds((today + 1) * DayMs));
        }
        PeriodUsage? budget = null;
        if (policy.MonthlyBudgetUsd is { } usd)
        {
            var limit = MicroUsd.FromUsd(usd);
            var month = now.UtcDateTime.Year * 12L + now.UtcDateTime.Month - 1;
            var spent = Number(counters, "mon") == month ? Math.Max(0, Number(counters, "mon_spent") ?? 0) : 0;
            var first = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            budget = new PeriodUsage(limit, spent, Math.Max(0, limit - spent), first);
        }
        return new LevelUsage(requests, tokens, day, budget);
    }

    /// <summary>
    /// GCRA with TAT = at + d/L: backlog x = max(0, d − (now − at)·L) = (max(TAT, now) − now)·L;
    /// remaining = floor((T·L − x) / T), reset = ceil(x / L) ms (the script's <c>window</c>).
    /// </summary>
    public static WindowUsage Window(IReadOnlyDictionary<string, string> counters, string dField, string atField, long limit, long nowMs)
    {
        if (limit < 1)
        {
            return new WindowUsage(limit, 0, TimeSpan.Zero);
        }
        var d = (double)(Number(counters, dField) ?? 0);
        var at = (double)(Number(counters, atField) ?? nowMs);
        var x = Math.Max(0, d - (nowMs - at) * limit);
        var remaining = (long)Math.Floor((MinuteMs * (double)limit - x) / MinuteMs);
        return new WindowUsage(limit, Math.Max(0, remaining), TimeSpan.FromMilliseconds(Math.Ceiling(x / limit)));
    }

    private static long Floor(long value, long unit) => (long)Math.Floor((double)value / unit);

    private static long? Number(IReadOnlyDictionary<string, string> counters, string field) =>
        counters.TryGetValue(field, out var raw) && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? (long)v
            : null;
}
