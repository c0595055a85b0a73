using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Synaxis.Audit.Contracts;
using Synaxis.Audit.Infrastructure;
using Synaxis.Audit.Retention;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Audit.Apis;

/// <summary>
/// <c>GET /api/audit/logs</c>: the organization's audit trail, newest first, keyset-paginated over (OccurredAt desc,
/// Id desc) so pages stay stable while entries arrive (a new entry sorts before the first page, never between pages).
/// </summary>
public static class LogsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").WithTags("Audit").RequireAuditCaller();
        api.MapGet("/logs", ListAsync)
            .WithSummary("The organization's audit trail, newest first")
            .WithDescription("from/to: ISO 8601 dates or instants, both included, at most 366 days apart (default: as far back as retention keeps, to now). " +
                "action, actorId, resourceType filter exactly. cursor: the nextCursor of the previous page. limit: 1 to 200 (default 50).");
        return api;
    }

    public static async Task<Results<Ok<AuditLogPage>, ValidationProblem>> ListAsync(
        string? from,
        string? to,
        string? action,
        string? actorId,
        string? resourceType,
        string? cursor,
        string? limit,
        HttpContext http,
        AuditDbContext db,
        RetentionPolicy retention,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var organizationId = http.AuditCaller().OrganizationId;
        var take = DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            return Problems.Invalid("limit", $"limit must be a whole number from 1 to {MaxLimit}.");
        }
        Guid? actor = null;
        if (!string.IsNullOrEmpty(actorId))
        {
            if (!Guid.TryParse(actorId, out var parsedActor))
            {
                return Problems.Invalid("actorId", "actorId must be the GUID of a user or API key.");
            }
            actor = parsedActor;
        }
        LogCursor? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = LogCursor.TryDecode(cursor);
            if (after is null)
            {
                return Problems.Invalid("cursor", "cursor is not a cursor this API returned; pass nextCursor as it came.");
            }
        }
        var longest = await retention.LongestAsync(cancellationToken);
        var (window, problem) = QueryWindow.Parse(from, to, time.GetUtcNow(), end => StartOfRetention(end, longest));
        if (problem is not null)
        {
            return problem;
        }
        var (start, end) = (window!.From, window.To);
        var (fromDay, toDay) = (window.FromDay, window.ToDay);

        var query = db.Logs.AsNoTracking().Where(l =>
            l.OrganizationId == organizationId
            && l.PartitionDate >= fromDay && l.PartitionDate <= toDay
            && l.OccurredAt >= start && l.OccurredAt <= end);
        if (!string.IsNullOrEmpty(action))
        {
            query = query.Where(l => l.Action == action);
        }
        if (actor is { } actorValue)
        {
            query = query.Where(l => l.ActorId == actorValue);
        }
        if (!string.IsNullOrEmpty(resourceType))
        {
            query = query.Where(l => l.ResourceType == resourceType);
        }
        if (after is { } position)
        {
            var (at, id) = (position.OccurredAt, position.Id);
            query = query.Where(l => EF.Functions.LessThan(ValueTuple.Create(l.OccurredAt, l.Id), ValueTuple.Create(at, id)));
        }
        var rows = await query
            .OrderByDescending(l => l.OccurredAt).ThenByDescending(l => l.Id)
            .Take(take + 1)
            .ToListAsync(cancellationToken);

        var page = rows.Count > take ? rows[..take] : rows;
        var next = rows.Count > take ? new LogCursor(page[^1].OccurredAt, page[^1].Id).Encode() : null;
        return TypedResults.Ok(new AuditLogPage([.. page.Select(AuditLogResponse.Of)], next));
    }

    /// <summary>The first day retention can still hold: the default start of <c>/logs</c> and <c>/verify</c>.</summary>
    internal static DateTimeOffset StartOfRetention(DateTimeOffset end, int days) =>
        new(end.UtcDateTime.Date.AddDays(-days), TimeSpan.Zero);
}
