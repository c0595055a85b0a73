using Synaxis.ServiceKit.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Synaxis.Identity.Contracts;
using Synaxis.Identity.Events;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;
using Synaxis.Identity.Services;
using Synaxis.Identity.Tokens;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Apis;

public static class OrganizationsApi
{
    public static RouteGroupBuilder MapOrganizationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/organizations").WithTags("Organizations");
        api.MapGet("/", ListAsync).RequireMembership();
        api.MapPost("/", CreateAsync).RequireMembership();
        api.MapGet("/current", GetCurrentAsync).RequireMembership();
        api.MapPatch("/current", UpdateCurrentAsync).RequireMembership(OrganizationRoles.Admin);
        api.MapDelete("/current", DeleteCurrentAsync).RequireMembership(OrganizationRoles.Owner);
        api.MapGet("/current/settings", GetSettingsAsync).RequireMembership();
        api.MapPut("/current/settings", PutSettingsAsync).RequireMembership(OrganizationRoles.Admin);
        return api;
    }

    public static async Task<Ok<List<OrganizationResponse>>> ListAsync(
        HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var organizations = await db.UserOrganizationMemberships.AsNoTracking()
            .Where(m => m.UserId == caller.UserId)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new OrganizationResponse(m.OrganizationId, m.Organization!.Name, m.Role, m.Organization.CreatedAt, m.Organization.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(organizations);
    }

    public static async Task<Created<OrganizationResponse>> CreateAsync(
        CreateOrganizationRequest request,
        HttpContext http,
        IdentityDbContext db,
        OrganizationProvisioner provisioner,
        CancellationToken cancellationToken)
    {
        var organization = provisioner.Provision(request.Name, http.Caller().UserId);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created(
            "/api/identity/organizations",
            new OrganizationResponse(organization.Id, organization.Name, OrganizationRoles.Owner, organization.CreatedAt, organization.UpdatedAt));
    }

    public static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> GetCurrentAsync(
        HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        return organization is null
            ? Problems.NotFound("The organization")
            : TypedResults.Ok(new OrganizationResponse(organization.Id, organization.Name, caller.Role, organization.CreatedAt, organization.UpdatedAt));
    }

    public static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> UpdateCurrentAsync(
        UpdateOrganizationRequest request,
        HttpContext http,
        IdentityDbContext db,
        IdentityEvents events,
        CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        if (organization is null)
        {
            return Problems.NotFound("The organization");
        }

        var before = new OrganizationSnapshot(organization.Id, organization.Name);
        organization.Name = request.Name.Trim();
        events.Record(IdentityEventTypes.OrganizationUpdated, organization.Id, before, new OrganizationSnapshot(organization.Id, organization.Name));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new OrganizationResponse(organization.Id, organization.Name, caller.Role, organization.CreatedAt, organization.UpdatedAt));
    }

    /// <summary>
    /// Soft-deletes the organization with its settings, groups and memberships (one SaveChanges), and
    /// publishes OrganizationDeleted so every other service deletes what it holds for it.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteCurrentAsync(
        HttpContext http,
        IdentityDbContext db,
        IdentityEvents events,
        TokenIssuer tokens,
        CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        if (organization is null)
        {
            return Problems.NotFound("The organization");
        }

        db.Organizations.Remove(organization);
        events.Record(IdentityEventTypes.OrganizationDeleted, organization.Id, new OrganizationSnapshot(organization.Id, organization.Name), after: null);
        await db.SaveChangesAsync(cancellationToken);
        await tokens.RevokeOrganizationAsync(organization.Id, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<OrganizationSettingsResponse>, ProblemHttpResult>> GetSettingsAsync(
        HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var settings = await db.OrganizationSettings.AsNoTracking()
            .FirstOrDefaultAsync(s => s.OrganizationId == http.Caller().OrganizationId, cancellationToken);
        return settings is null ? Problems.NotFound("The organization's settings") : TypedResults.Ok(ToResponse(settings));
    }

    public static async Task<Results<Ok<OrganizationSettingsResponse>, ProblemHttpResult>> PutSettingsAsync(
        OrganizationSettingsRequest request,
        HttpContext http,
        IdentityDbContext db,
        IdentityEvents events,
        CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var settings = await db.OrganizationSettings.FirstOrDefaultAsync(s => s.OrganizationId == caller.OrganizationId, cancellationToken);
        if (settings is null)
        {
            return Problems.NotFound("The organization's settings");
        }

        var before = ToSnapshot(settings);
        // Validation has made sure both are present.
        settings.AuditRetentionDays = request.AuditRetentionDays!.Value;
        settings.RoutingStrategy = request.RoutingStrategy;
        settings.AllowPaidFallback = request.AllowPaidFallback!.Value;
        settings.BaselineModel = string.IsNullOrWhiteSpace(request.BaselineModel) ? null : request.BaselineModel.Trim();
        events.Record(IdentityEventTypes.SettingsChanged, caller.OrganizationId, before, ToSnapshot(settings));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(settings));
    }

    private static SettingsSnapshot ToSnapshot(OrganizationSettings s) =>
        new(s.AuditRetentionDays, s.RoutingStrategy, s.AllowPaidFallback, s.BaselineModel);

    private static OrganizationSettingsResponse ToResponse(OrganizationSettings s) =>
        new(s.AuditRetentionDays, s.RoutingStrategy, s.AllowPaidFallback, s.BaselineModel, s.UpdatedAt);
}
