using Synaxis.ServiceKit.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Synaxis.Identity.Contracts;
using Synaxis.Identity.Events;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;
using Synaxis.Identity.Tokens;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Apis;

/// <summary>
/// Members of the caller's organization. Admins manage Members and Admins; only an Owner grants or
/// takes the Owner role; the last Owner can be neither demoted nor removed.
/// </summary>
public static class MembersApi
{
    public static RouteGroupBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/members").WithTags("Members");
        api.MapGet("/", ListAsync).RequireMembership();
        api.MapPost("/", AddAsync).RequireMembership(OrganizationRoles.Admin);
        api.MapPatch("/{userId:guid}", UpdateRoleAsync).RequireMembership(OrganizationRoles.Admin);
        api.MapDelete("/{userId:guid}", RemoveAsync).RequireMembership(OrganizationRoles.Member);
        return api;
    }

    public static async Task<Ok<List<MemberResponse>>> ListAsync(HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        var members = await db.UserOrganizationMemberships.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new
            {
                m.UserId,
                m.User!.Email,
                m.User.DisplayName,
                m.Role,
                m.CreatedAt,
                GroupIds = db.UserGroupMemberships
                    .Where(g => g.OrganizationId == organizationId && g.UserId == m.UserId)
                    .Select(g => g.GroupId)
                    .ToList(),
            })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(members
            .Select(m => new MemberResponse(m.UserId, m.Email!, m.DisplayName, m.Role, m.GroupIds, m.CreatedAt))
            .ToList());
    }

    public static async Task<Results<Created<MemberResponse>, ProblemHttpResult>> AddAsync(
        AddMemberRequest request,
        HttpContext http,
        IdentityDbContext db,
        UserManager<SynaxisUser> users,
        IdentityEvents events,
        CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        if (request.Role == OrganizationRoles.Owner && !caller.IsOwner)
        {
            return Problems.Forbidden("Only an Owner can make someone an Owner.");
        }

        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            return Problems.NotFound("A user with that email");
        }
        if (await db.UserOrganizationMemberships.AnyAsync(m => m.OrganizationId == caller.OrganizationId && m.UserId == user.Id, cancellationToken))
        {
            return Problems.Conflict("That user is already a member of the organization.");
        }

        var membership = new UserOrganizationMembership { UserId = user.Id, OrganizationId = caller.OrganizationId, Role = request.Role };
        db.UserOrganizationMemberships.Add(membership);
        events.Record(IdentityEventTypes.MemberAdded, caller.OrganizationId, before: null, after: new MemberSnapshot(user.Id, request.Role));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return Problems.Conflict("That user is already a member of the organization.");
        }
        return TypedResults.Created(
            $"/api/identity/members/{user.Id}",
            new MemberResponse(user.Id, user.Email!, user.DisplayName, membership.Role, [], membership.CreatedAt));
    }

    public static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> UpdateRoleAsync(
        Guid userId,
        UpdateMemberRequest request,
        HttpContext http,
        IdentityDbContext db,
        IdentityEvents events,
        CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        return await db.RunLockedAsync(caller.OrganizationId, async ct =>
        {
            var membership = await FindAsync(db, caller.OrganizationId, userId, ct);
            if (membership is null)
            {
                return (Results<Ok<MemberResponse>, ProblemHttpResult>)Problems.NotFound("The member");
            }
            if ((membership.Role == OrganizationRoles.Owner || request.Role == OrganizationRoles.Owner) && !caller.IsOwner)
            {
                return Problems.Forbidden("Only an Owner can grant or take the Owner role.");
            }
            if (membership.Role == OrganizationRoles.Owner && request.Role != OrganizationRoles.Owner
                && await IsLastOwnerAsync(db, caller.OrganizationId, ct))
            {
                return Problems.Conflict("The organization's last Owner cannot be demoted; make someone else Owner first.");
            }

            var before = new MemberSnapshot(userId, membership.Role);
            membership.Role = request.Role;
            events.Record(IdentityEventTypes.MemberRoleChanged, caller.OrganizationId, before, new MemberSnapshot(userId, membership.Role));
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(new MemberResponse(userId, membership.User!.Email!, membership.User.DisplayName, membership.Role, [], membership.CreatedAt));
        }, cancellationToken);
    }

    /// <summary>Admins remove others; anyone may leave; the last Owner may do neither.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Guid userId,
        HttpContext http,
        IdentityDbContext db,
        IdentityEvents events,
        TokenIssuer tokens,
        CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var leaving = userId == caller.UserId;
        if (!leaving && !caller.IsManager)
        {
            return Problems.Forbidden("Only an Owner or Admin can remove other members.");
        }

        var removed = await db.RunLockedAsync(caller.OrganizationId, async ct =>
        {
            var membership = await FindAsync(db, caller.OrganizationId, userId, ct);
            if (membership is null)
            {
                return (Results<NoContent, ProblemHttpResult>?)Problems.NotFound("The member");
            }
            if (membership.Role == OrganizationRoles.Owner && !leaving && !caller.IsOwner)
            {
                return Problems.Forbidden("Only an Owner can remove an Owner.");
            }
            if (membership.Role == OrganizationRoles.Owner && await IsLastOwnerAsync(db, caller.OrganizationId, ct))
            {
                return Problems.Conflict("The organization's last Owner cannot be removed; make someone else Owner first.");
            }

            var groupMemberships = await db.UserGroupMemberships
                .Where(m => m.OrganizationId == caller.OrganizationId && m.UserId == userId)
                .ToListAsync(ct);
            db.UserGroupMemberships.RemoveRange(groupMemberships);
            db.UserOrganizationMemberships.Remove(membership);
            events.Record(IdentityEventTypes.MemberRemoved, caller.OrganizationId,
                new MemberSnapshot(userId, membership.Role, groupMemberships.Select(m => m.GroupId).ToList()), after: null);
            await db.SaveChangesAsync(ct);
            return null;
        }, cancellationToken);
        if (removed is not null)
        {
            return removed;
        }

        await tokens.RevokeMembershipAsync(caller.OrganizationId, userId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<UserOrganizationMembership?> FindAsync(IdentityDbContext db, Guid organizationId, Guid userId, CancellationToken cancellationToken) =>
        db.UserOrganizationMemberships.Include(m => m.User)
            .FirstOrDefaultAsync(m => m.OrganizationId == organizationId && m.UserId == userId, cancellationToken);

    private static async Task<bool> IsLastOwnerAsync(IdentityDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        await db.UserOrganizationMemberships.CountAsync(
            m => m.OrganizationId == organizationId && m.Role == OrganizationRoles.Owner, cancellationToken) <= 1;
}
