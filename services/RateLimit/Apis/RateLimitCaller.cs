using Synaxis.RateLimit.Services;
using Synaxis.ServiceKit.Http;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.RateLimit.Apis;

/// <summary>Who reads or sets policies in this request: a user acting in an organization with a role.</summary>
public sealed record RateLimitCaller(Guid OrganizationId, Guid UserId, string Role, Guid? KeyId = null)
{
    /// <summary>Owners and Admins set and delete policies; Members may only read them.</summary>
    public bool IsManager => OrganizationRoles.IsManager(Role);
}

/// <summary>
/// Admits a user with a role in the organization; an API key caller also needs the <c>admin</c> scope. The
/// role is the one Identity's events last said, when any arrived, rather than the (possibly older) signed one.
/// </summary>
internal sealed class RequireRateLimitCaller : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var user = http.User;
        if (user.GetUserId() is not { } userId || user.FindOrganizationId() is not { } organizationId)
        {
            return Problems.Forbidden("Rate limit policies need a user acting within an organization.");
        }
        if (user.GetOrganizationRole() is not { } role || !OrganizationRoles.All.Contains(role))
        {
            return Problems.Forbidden("Rate limit policies need a role in the organization.");
        }
        if (user.GetKeyId() is not null && !user.GetScopes().Contains(ApiKeyScopes.Admin))
        {
            return Problems.Forbidden($"An API key needs the '{ApiKeyScopes.Admin}' scope to use the rate limit API.");
        }

        // The signed role can be minutes old (a 15-minute JWT, a cached key verification): the membership
        // events applied here are newer, so a removed or demoted member cannot act on what they were.
        var roles = http.RequestServices.GetRequiredService<MemberRoleStore>();
        if (await http.RequestServices.GetRequiredService<DeletedOrganizationStore>().IsOrganizationDeletedAsync(organizationId, http.RequestAborted))
        {
            return Problems.Forbidden("This organization was deleted.");
        }
        var (known, currentRole) = await roles.GetStateAsync(organizationId, userId, http.RequestAborted);
        if (known)
        {
            if (currentRole is null)
            {
                return Problems.Forbidden("You are no longer a member of this organization.");
            }
            role = currentRole;
        }

        http.Items[typeof(RateLimitCaller)] = new RateLimitCaller(organizationId, userId, role, user.GetKeyId());
        return await next(context);
    }
}

internal static class RateLimitCallerExtensions
{
    /// <summary>The gateway-signed identity must be present (401 otherwise), then the caller is checked (403).</summary>
    public static TBuilder RequireRateLimitCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SynaxisPolicies.Member).AddEndpointFilter(new RequireRateLimitCaller());

    public static RateLimitCaller RateLimitCaller(this HttpContext http) =>
        http.Items[typeof(RateLimitCaller)] as RateLimitCaller
        ?? throw new InvalidOperationException("The endpoint has no RequireRateLimitCaller filter.");
}
