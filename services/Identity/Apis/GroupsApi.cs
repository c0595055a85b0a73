using Synaxis.ServiceKit.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Synaxis.Identity.Contracts;
using Synaxis.Identity.Events;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Apis;

/// <summary>
/// Groups of the caller's organization. Every query is scoped to that organization, so another
/// organization's group id answers 404 exactly like an id that does not exist.
/// </summary>
public static class GroupsApi
{
    public static RouteGroupBuilder MapGroupsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/groups").WithTags("Groups");
        api.MapGet("/", ListAsync).RequireMembership();
        api.MapPost("/", CreateAsync).RequireMembership(OrganizationRoles.Admin);
        api.MapGet("/{id:guid}", GetAsync).RequireMembership();
        api.MapPatch("/{id:guid}", UpdateAsync).RequireMembership(OrganizationRoles.Admin);
        api.MapDelete("/{id:guid}", DeleteAsync).RequireMembership(OrganizationRoles.Admin);
        api.MapPut("/{id:guid}/members/{userId:guid}", AddMemberAsync).RequireMembership(OrganizationRoles.Admin);
        api.MapDelete("/{id:guid}/members/{userId:guid}", RemoveMemberAsync).RequireMembership(OrganizationRoles.Admin);
        return api;
    }

    public static async Task<Ok<List<GroupResponse>>> ListAsync(HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        var groups = await db.Groups.AsNoTracking()
            .Where(g => g.OrganizationId == organizationId)
            .OrderBy(g => g.Slug)
            .Select(g => new GroupResponse(g.Id, g.Name, g.Slug, g.Memberships.Count, g.CreatedAt, g.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(groups);
    }

    public static async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        var group = await db.Groups.AsNoTracking()
            .Where(g => g.Id == id && g.OrganizationId == organizationId)
            .Select(g => new GroupResponse(g.Id, g.Name, g.Slug, g.Memberships.Count, g.CreatedAt, g.UpdatedAt))
            .FirstOrDefaultAsync(cancellationToken);
        return group is null ? Problems.NotFound("The group") : TypedResults.Ok(group);
    }

    public static async Task<Results<Created<GroupResponse>, ProblemHttpResult>> CreateAsync(
        CreateGroupRequest request, HttpContext http, IdentityDbContext db, IdentityEvents events, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        var group = new Group { OrganizationId = organizationId, Name = request.Name.Trim(), Slug = request.Slug };
        db.Groups.Add(group);
        events.Record(IdentityEventTypes.GroupCreated, organizationId, before: null, after: Snapshot(group));
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return SlugTaken(request.Slug);
        }
        return TypedResults.Created($"/api/identity/groups/{group.Id}", ToResponse(group, memberCount: 0));
    }

    public static async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateGroupRequest request, HttpContext http, IdentityDbContext db, IdentityEvents events, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == id && g.OrganizationId == organizationId, cancellationToken);
        if (group is null)
        {
            return Problems.NotFound("The group");
        }

        var before = Snapshot(group);
        group.Name = request.Name?.Trim() ?? group.Name;
        group.Slug = request.Slug ?? group.Slug;
        events.Record(IdentityEventTypes.GroupUpdated, organizationId, before, Snapshot(group));
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return SlugTaken(group.Slug);
        }
        var memberCount = await db.UserGroupMemberships.CountAsync(m => m.GroupId == id, cancellationToken);
        return TypedResults.Ok(ToResponse(group, memberCount));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, HttpContext http, IdentityDbContext db, IdentityEvents events, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == id && g.OrganizationId == organizationId, cancellationToken);
        if (group is null)
        {
            return Problems.NotFound("The group");
        }

        db.Groups.Remove(group);
        events.Record(IdentityEventTypes.GroupDeleted, organizationId, Snapshot(group), after: null);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> AddMemberAsync(
        Guid id, Guid userId, HttpContext http, IdentityDbContext db, IdentityEvents events, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        if (!await db.Groups.AnyAsync(g => g.Id == id && g.OrganizationId == organizationId, cancellationToken))
        {
            return Problems.NotFound("The group");
        }
        if (!await db.UserOrganizationMemberships.AnyAsync(m => m.OrganizationId == organizationId && m.UserId == userId, cancellationToken))
        {
            return Problems.NotFound("The member");
        }
        if (await db.UserGroupMemberships.AnyAsync(m => m.GroupId == id && m.UserId == userId, cancellationToken))
        {
            return TypedResults.NoContent();
        }
        if (await db.UserGroupMemberships.CountAsync(m => m.OrganizationId == organizationId && m.UserId == userId, cancellationToken)
            >= Limits.MaxGroupsPerMember)
        {
            return Problems.Conflict($"A member can belong to at most {Limits.MaxGroupsPerMember} groups of an organization.");
        }

        db.UserGroupMemberships.Add(new UserGroupMembership { GroupId = id, UserId = userId, OrganizationId = organizationId });
        events.Record(IdentityEventTypes.GroupMemberAdded, organizationId, before: null, after: new GroupMemberSnapshot(userId, id));
        // A concurrent identical PUT loses on the unique index; the membership exists either way.
        await TrySaveAsync(db, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        Guid id, Guid userId, HttpContext http, IdentityDbContext db, IdentityEvents events, CancellationToken cancellationToken)
    {
        var organizationId = http.Caller().OrganizationId;
        var membership = await db.UserGroupMemberships
            .FirstOrDefaultAsync(m => m.GroupId == id && m.UserId == userId && m.OrganizationId == organizationId, cancellationToken);
        if (membership is null)
        {
            return Problems.NotFound("The group membership");
        }

        db.UserGroupMemberships.Remove(membership);
        events.Record(IdentityEventTypes.GroupMemberRemoved, organizationId, new GroupMemberSnapshot(userId, id), after: null);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<bool> TrySaveAsync(IdentityDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return false;
        }
    }

    private static ProblemHttpResult SlugTaken(string slug) =>
        Problems.Conflict($"The organization already has a group with the slug '{slug}'.");

    private static GroupSnapshot Snapshot(Group group) => new(group.Id, group.Name, group.Slug);

    private static GroupResponse ToResponse(Group group, int memberCount) =>
        new(group.Id, group.Name, group.Slug, memberCount, group.CreatedAt, group.UpdatedAt);
}
