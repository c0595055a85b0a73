using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Http;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Security;

/// <summary>
/// Who reads or changes the routing catalog in this request. Everyone in the organization reads it; Owners and
/// Admins change the organization's part; platform administrators change the global part.
/// </summary>
public sealed record CatalogCaller(Guid OrganizationId, Guid UserId, string Role, bool IsPlatformAdministrator)
{
    public bool IsManager => OrganizationRoles.IsManager(Role);

    /// <summary>The 403 to answer when the caller may not create, change or delete a row of this scope; else null.</summary>
    /// <param name="what">The rows, in the plural: <c>providers</c>.</param>
    public ProblemHttpResult? RefuseChange(bool global, string what) =>
        global
            ? IsPlatformAdministrator ? null : Problems.Forbidden($"Only platform administrators may create, change or delete global {what}.")
            : IsManager ? null : Problems.Forbidden($"Only an Owner or Admin may create, change or delete the organization's {what}.");
}

/// <summary>
/// Admits a user with a role in the organization; an API key caller also needs the <c>admin</c> scope. Routing keeps
/// no copy of memberships, so the role is the one the gateway signed.
/// </summary>
internal sealed class RequireCatalogCaller : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var user = http.User;
        if (user.GetUserId() is not { } userId || user.FindOrganizationId() is not { } organizationId)
        {
            return Problems.Forbidden("The routing API needs a user acting within an organization.");
        }
        if (user.GetOrganizationRole() is not { } role || !OrganizationRoles.All.Contains(role))
        {
            return Problems.Forbidden("The routing API needs a role in the organization.");
        }
        if (user.GetKeyId() is not null && !user.GetScopes().Contains(ApiKeyScopes.Admin))
        {
            return Problems.Forbidden($"An API key needs the '{ApiKeyScopes.Admin}' scope to use the routing API.");
        }
        var administrators = http.RequestServices.GetRequiredService<IOptionsMonitor<PlatformAdministratorOptions>>().CurrentValue;
        http.Items[typeof(CatalogCaller)] = new CatalogCaller(organizationId, userId, role, administrators.PlatformAdministrators.Contains(userId));
        return await next(context);
    }
}

internal static class CatalogCallerExtensions
{
    /// <summary>The gateway-signed identity must be present (401 otherwise), then the caller is checked (403).</summary>
    public static TBuilder RequireCatalogCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SynaxisPolicies.Member).AddEndpointFilter(new RequireCatalogCaller());

    public static CatalogCaller CatalogCaller(this HttpContext http) =>
        http.Items[typeof(CatalogCaller)] as CatalogCaller
        ?? throw new InvalidOperationException("The endpoint has no RequireCatalogCaller filter.");
}
