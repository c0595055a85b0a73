using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Synaxis.RateLimit.Admission;
using Synaxis.ServiceKit.Admission;
using Synaxis.RateLimit.Contracts;
using Synaxis.RateLimit.Infrastructure;
using Synaxis.RateLimit.Model;
using Synaxis.ServiceKit.Http;

namespace Synaxis.RateLimit.Apis;

/// <summary>
/// The current counters of one level, from the admission counters in Redis (<see cref="UsageCalculator"/>).
/// A Member may read their own user level and the key they call with; Owners and Admins any level of the
/// organization. Anything else answers 404, as an unknown level does.
/// </summary>
public static class UsageApi
{
    /// <summary>Redis' clock and the level's counters in one round trip (the clock admission uses).</summary>
    private const string ReadScript = """
        local t = redis.call('TIME')
        return {t[1], t[2], redis.call('HGETALL', KEYS[1])}
        """;

    public static RouteGroupBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/ratelimits").WithTags("Rate limits").RequireRateLimitCaller();
        api.MapGet("/usage/{scope}/{id}", GetAsync);
        return api;
    }

    public static async Task<Results<Ok<UsageResponse>, ProblemHttpResult, ValidationProblem>> GetAsync(
        string scope,
        string id,
        HttpContext http,
        RateLimitDbContext db,
        IConnectionMultiplexer redis,
        CancellationToken cancellationToken)
    {
        var caller = http.RateLimitCaller();
        if (PolicyScopes.Normalize(scope) is not { } normalized || LimitNames.ParseLevel(normalized) is not { } level)
        {
            return Problems.Invalid("scope", $"scope must be one of {string.Join(", ", PolicyScopes.All.Select(s => $"'{s}'"))}.");
        }
        if (!Guid.TryParse(id, out var scopeId) || scopeId == Guid.Empty)
        {
            return Problems.Invalid("id", "id must be the GUID of the organization, group, user or key.");
        }
        var visible = level switch
        {
            LimitLevel.Organization => scopeId == caller.OrganizationId && caller.IsManager,
            _ when caller.IsManager => true,
            LimitLevel.User => scopeId == caller.UserId,
            LimitLevel.Key => scopeId == caller.KeyId,
            _ => false,
        };
        if (!visible)
        {
            return Problems.NotFound("The rate limit level");
        }

        var row = await db.Policies.AsNoTracking().FirstOrDefaultAsync(
            p => p.OrganizationId == caller.OrganizationId && p.Scope == normalized && p.ScopeId == scopeId, cancellationToken);
        var policy = row is null
            ? LimitPolicy.None
            : new LimitPolicy(row.RequestsPerMinute, row.TokensPerMinute, row.TokensPerDay, row.MonthlyBudgetUsd);

        var key = AdmissionKeys.Level(caller.OrganizationId.ToString(), level, scopeId.ToString());
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ReadScript, [key]))!;
        var nowMs = (long)reply[0] * 1000 + (long)reply[1] / 1000;
        var raw = (RedisResult[])reply[2]!;
        var counters = new Dictionary<string, string>(raw.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < raw.Length; i += 2)
        {
            counters[(string)raw[i]!] = (string)raw[i + 1]!;
        }
        var usage = UsageCalculator.Compute(counters, policy, nowMs);

        return TypedResults.Ok(new UsageResponse(
            normalized,
            scopeId,
            row is null ? null : new PolicyResponse(row.Scope, row.ScopeId, row.RequestsPerMinute, row.TokensPerMinute,
                row.TokensPerDay, row.MonthlyBudgetUsd, row.CreatedAt, row.UpdatedAt),
            Window(usage.Requests),
            Window(usage.Tokens),
            usage.TokensToday is { } day ? new TokensTodayUsage(day.Limit, day.Used, day.Remaining, day.ResetsAt) : null,
            usage.BudgetMicroUsd is { } budget
                ? new BudgetUsage(MicroUsd.ToUsd(budget.Limit), MicroUsd.ToUsd(budget.Used), MicroUsd.ToUsd(budget.Remaining), budget.ResetsAt)
                : null));
    }

    private static WindowUsageResponse? Window(WindowUsage? w) =>
        w is null ? null : new WindowUsageResponse(w.Limit, w.Remaining, w.Reset.TotalMilliseconds / 1000d);
}
