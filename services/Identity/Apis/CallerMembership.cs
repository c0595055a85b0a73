using Microsoft.EntityFrameworkCore;
using Synaxis.Identity.Infrastructure;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Apis;

/// <summary>
/// The caller's membership as the database has it now, not as the token had it when issued: a
/// demoted or removed member loses their rights at once rather than when the token expires.
/// </summary>
public sealed record CallerMembership(Guid UserId, Guid OrganizationId, string Role)
{
    public bool IsOwner => Role == OrganizationRoles.Owner;

    public bool IsManager => OrganizationRoles.IsManager(Role);
}

/// <summary>Admits the caller only if they are (still) a member with at least <paramref name="minimumRole"/>.</summary>
internal sealed class RequireOrganizationRole(string minimumRole) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.GetUserId() is not { } userId || http.User.FindOrganizationId() is not { } organizationId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "This endpoint needs a signed-in user acting within an organization.");
        }

        var db = http.RequestServices.GetRequiredService<IdentityDbContext>();
        var role = await db.UserOrganizationMemberships
            .Where(m => m.UserId == userId && m.OrganizationId == organizationId)
            .Select(m => m.Role)
            .FirstOrDefaultAsync(http.RequestAborted);
        if (role is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "You are not a member of this organization.");
        }
        if (minimumRole != OrganizationRoles.Member && !OrganizationRoles.IsManager(role)
            || minimumRole == OrganizationRoles.Owner && role != OrganizationRoles.Owner)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"This needs the {minimumRole} role in the organization; you are {role}.");
        }

        http.Items[typeof(CallerMembership)] = new CallerMembership(userId, organizationId, role);
        return await next(context);
    }
}

internal static class CallerMembershipExtensions
{
    /// <summary>The gateway-signed identity must be present (401 otherwise), then the membership is checked.</summary>
    public static TBuilder RequireMembership<TBuilder>(this TBuilder builder, string minimumRole = OrganizationRoles.Member)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SynaxisPolicies.Member).AddEndpointFilter(new RequireOrganizationRole(minimumRole));

    /// <summary>The membership that <see cref="RequireOrganizationRole"/> checked for this request.</summary>
    public static CallerMembership Caller(this HttpContext http) =>
        http.Items[typeof(CallerMembership)] as CallerMembership
        ?? throw new InvalidOperationException("The endpoint has no RequireMembership filter.");
}
