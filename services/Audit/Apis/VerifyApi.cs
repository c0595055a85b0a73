using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Contracts;
using Synaxis.Audit.Retention;

namespace Synaxis.Audit.Apis;

/// <summary><c>GET /api/audit/verify</c>: whether the organization's hash chain is intact over a window (<see cref="ChainVerifier"/>).</summary>
public static class VerifyApi
{
    public static RouteGroupBuilder MapVerifyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").WithTags("Audit").RequireAuditCaller();
        api.MapGet("/verify", VerifyAsync)
            .WithSummary("Whether the organization's audit hash chain is intact, and the first broken entry if not")
            .WithDescription("Checks the entries that occurred between from and to (ISO 8601 dates or instants, both included, at most 366 days " +
                "apart; default: as far back as retention keeps, to now). reason: hash-mismatch (an entry was changed), missing (entries were " +
                "deleted), link-mismatch (an entry does not link to the one before it).");
        return api;
    }

    public static async Task<Results<Ok<VerifyResponse>, ValidationProblem>> VerifyAsync(
        string? from,
        string? to,
        HttpContext http,
        ChainVerifier verifier,
        RetentionPolicy retention,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var organizationId = http.AuditCaller().OrganizationId;
        var longest = await retention.LongestAsync(cancellationToken);
        var (window, problem) = QueryWindow.Parse(from, to, time.GetUtcNow(), end => LogsApi.StartOfRetention(end, longest));
        if (problem is not null)
        {
            return problem;
        }
        return TypedResults.Ok(await verifier.VerifyAsync(organizationId, window!.From, window.To, cancellationToken));
    }
}
