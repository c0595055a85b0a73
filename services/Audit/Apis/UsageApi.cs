using System.Globalization;
using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Synaxis.Audit.Contracts;
using Synaxis.Audit.Infrastructure;
using Synaxis.Audit.Model;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Audit.Apis;

/// <summary>
/// <c>GET /api/audit/usage</c>: requests, tokens, cost and money saved of the organization's inferences in a window,
/// per day, model, provider, key, user or group, summed exactly (numeric) by PostgreSQL.
/// </summary>
public static class UsageApi
{
    public static readonly IReadOnlyList<string> GroupBys = ["day", "model", "provider", "key", "user", "group"];

    public static RouteGroupBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").WithTags("Audit").RequireAuditCaller();
        api.MapGet("/usage", GetAsync)
            .WithSummary("Usage and cost of the organization's inferences, per bucket")
            .WithDescription("groupBy: day (UTC), model, provider, key, user or group (default day). from/to: ISO 8601 dates or instants, " +
                "both included, at most 366 days apart (default: the current UTC month).");
        return api;
    }

    public static async Task<Results<Ok<UsageReport>, ValidationProblem>> GetAsync(
        string? from,
        string? to,
        string? groupBy,
        HttpContext http,
        AuditDbContext db,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var organizationId = http.AuditCaller().OrganizationId;
        var bucket = string.IsNullOrEmpty(groupBy) ? "day" : groupBy.ToLowerInvariant();
        if (!GroupBys.Contains(bucket))
        {
            return Problems.Invalid("groupBy", $"groupBy must be one of {string.Join(", ", GroupBys)}.");
        }
        var (window, problem) = QueryWindow.Parse(from, to, time.GetUtcNow(),
            end => new DateTimeOffset(end.Year, end.Month, 1, 0, 0, 0, TimeSpan.Zero));
        if (problem is not null)
        {
            return problem;
        }
        var (start, end) = (window!.From, window.To);
        var (fromDay, toDay) = (window.FromDay, window.ToDay);
        var usage = db.UsageRecords.AsNoTracking().Where(u =>
            u.OrganizationId == organizationId
            && u.PartitionDate >= fromDay && u.PartitionDate <= toDay
            && u.OccurredAt >= start && u.OccurredAt <= end);

        var items = bucket switch
        {
            "day" => await AggregateAsync(usage, u => u.PartitionDate, d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), cancellationToken),
            "model" => await AggregateAsync(usage, u => u.Model, m => m, cancellationToken),
            "provider" => await AggregateAsync(usage, u => u.Provider, p => p, cancellationToken),
            "key" => await AggregateAsync(usage, u => u.KeyId, Id, cancellationToken),
            "user" => await AggregateAsync(usage, u => u.UserId, Id, cancellationToken),
            _ => await AggregateAsync(usage, u => u.GroupId, Id, cancellationToken),
        };
        var totals = new UsageBucket(null,
            items.Sum(i => i.Requests), items.Sum(i => i.InputTokens), items.Sum(i => i.OutputTokens), items.Sum(i => i.TotalTokens),
            items.Sum(i => i.CostUsd), items.Sum(i => i.MoneySavedUsd));
        return TypedResults.Ok(new UsageReport(bucket, start, end, items, totals));
    }

    private static string? Id(Guid? id) => id?.ToString();

    /// <summary>One row per bucket from PostgreSQL; sorted by key (days in order), the bucket without a key last.</summary>
    private static async Task<List<UsageBucket>> AggregateAsync<TKey>(
        IQueryable<UsageRecord> usage, Expression<Func<UsageRecord, TKey>> key, Func<TKey, string?> format, CancellationToken cancellationToken)
    {
        var rows = await usage.GroupBy(key).Select(g => new
        {
            g.Key,
            Requests = g.LongCount(),
            Input = g.Sum(u => u.InputTokens),
            Output = g.Sum(u => u.OutputTokens),
            Cost = g.Sum(u => u.CostUsd),
            Saved = g.Sum(u => u.MoneySavedUsd),
        }).ToListAsync(cancellationToken);
        return [.. rows
            .Select(r => new UsageBucket(format(r.Key), r.Requests, r.Input, r.Output, r.Input + r.Output, r.Cost, r.Saved))
            .OrderBy(b => b.Key is null)
            .ThenBy(b => b.Key, StringComparer.Ordinal)];
    }
}
