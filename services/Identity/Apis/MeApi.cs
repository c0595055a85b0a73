using Synaxis.ServiceKit.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Synaxis.Identity.Contracts;
using Synaxis.Identity.Infrastructure;

namespace Synaxis.Identity.Apis;

public static class MeApi
{
    public static RouteHandlerBuilder MapMeApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/identity/me", GetMeAsync).WithTags("Me").RequireMembership();

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMeAsync(
        HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == caller.UserId, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound("The user");
        }

        var memberships = await db.UserOrganizationMemberships.AsNoTracking()
            .Where(m => m.UserId == caller.UserId)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new { m.OrganizationId, OrganizationName = m.Organization!.Name, m.Role })
            .ToListAsync(cancellationToken);
        var groups = await db.UserGroupMemberships.AsNoTracking()
            .Where(m => m.UserId == caller.UserId)
            .Select(m => new { m.OrganizationId, Group = new GroupSummary(m.Group!.Id, m.Group.Name, m.Group.Slug) })
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new MeResponse(
            user.Id,
            user.Email!,
            user.DisplayName,
            caller.OrganizationId,
            user.CreatedAt,
            memberships.Select(m => new MembershipResponse(
                m.OrganizationId,
                m.OrganizationName,
                m.Role,
                groups.Where(g => g.OrganizationId == m.OrganizationId).Select(g => g.Group).ToList())).ToList()));
    }
}
