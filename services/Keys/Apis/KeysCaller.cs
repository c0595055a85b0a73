using Synaxis.ServiceKit.Http;
using Synaxis.Keys.Services;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Apis;

/// <summary>
/// Who manages keys in this request: a user acting in an organization with a role. Members manage their own
/// keys; Owners and Admins all of the organization's.
/// </summary>
public sealed record KeysCaller(Guid OrganizationId, Guid UserId, string Role, IReadOnlyList<Guid> GroupIds)
{
    public bool IsManager => OrganizationRoles.IsManager(Role);

    public bool MaySee(Model.ApiKey key) => key.OrganizationId == OrganizationId && (IsManager || key.UserId == UserId);
}

/// <summary>Admits a user with a role in the organization; an API key caller also needs the <c>admin</c> scope.</summary>
internal sealed class RequireKeysCaller : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var user = http.User;
        if (user.GetUserId() is not { } userId || user.FindOrganizationId() is not { } organizationId)
        {
            return Problems.Forbidden("Managing API keys needs a user acting within an organization.");
        }
        if (user.GetOrganizationRole() is not { } role || !OrganizationRoles.All.Contains(role))
        {
            return Problems.Forbidden("Managing API keys needs a role in the organization.");
        }
        if (user.GetKeyId() is not null && !user.GetScopes().Contains(ApiKeyScopes.Admin))
        {
            return Problems.Forbidden($"An API key needs the '{ApiKeyScopes.Admin}' scope to manage keys.");
        }

        // The signed role can be minutes old (a 15-minute JWT, a cached key verification): the membership
        // events Keys has applied are newer, so a removed or demoted member cannot act on what they were.
        var roles = http.RequestServices.GetRequiredService<MemberRoleStore>();
        var (known, currentRole) = await roles.GetStateAsync(organizationId, userId, http.RequestAborted);
        if (known)
        {
            if (currentRole is null)
            {
                return Problems.Forbidden("You are no longer a member of this organization.");
            }
            role = currentRole;
        }

        http.Items[typeof(KeysCaller)] = new KeysCaller(organizationId, userId, role, user.GetGroupIds());
        return await next(context);
    }
}

internal static class KeysCallerExtensions
{
    /// <summary>The gateway-signed identity must be present (401 otherwise), then the caller is checked (403).</summary>
    public static TBuilder RequireKeysCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SynaxisPolicies.Member).AddEndpointFilter(new RequireKeysCaller());

    public static KeysCaller KeysCaller(this HttpContext http) =>
        http.Items[typeof(KeysCaller)] as KeysCaller
        ?? throw new InvalidOperationException("The endpoint has no RequireKeysCaller filter.");
}
