using Synaxis.ServiceKit.Http;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Audit.Apis;

/// <summary>Who reads the audit trail in this request: an Owner or Admin acting in their organization.</summary>
public sealed record AuditCaller(Guid OrganizationId, Guid UserId, string Role);

/// <summary>
/// Admits an Owner or Admin of the organization (a Member answers 403); an API key caller also needs the <c>admin</c>
/// scope. Audit keeps no copy of memberships: the role is the one the gateway signed.
/// </summary>
internal sealed class RequireAuditCaller : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var user = http.User;
        if (user.GetUserId() is not { } userId || user.FindOrganizationId() is not { } organizationId || organizationId == Guid.Empty)
        {
            return Problems.Forbidden("The audit API needs a user acting within an organization.");
        }
        if (user.GetOrganizationRole() is not { } role || !OrganizationRoles.All.Contains(role))
        {
            return Problems.Forbidden("The audit API needs a role in the organization.");
        }
        if (!OrganizationRoles.IsManager(role))
        {
            return Problems.Forbidden("Only an Owner or Admin may read the organization's audit trail and usage.");
        }
        if (user.GetKeyId() is not null && !user.GetScopes().Contains(ApiKeyScopes.Admin))
        {
            return Problems.Forbidden($"An API key needs the '{ApiKeyScopes.Admin}' scope to use the audit API.");
        }
        http.Items[typeof(AuditCaller)] = new AuditCaller(organizationId, userId, role);
        return await next(context);
    }
}

internal static class AuditCallerExtensions
{
    /// <summary>The gateway-signed identity must be present (401 otherwise), then the caller is checked (403).</summary>
    public static TBuilder RequireAuditCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SynaxisPolicies.Member).AddEndpointFilter(new RequireAuditCaller());

    public static AuditCaller AuditCaller(this HttpContext http) =>
        http.Items[typeof(AuditCaller)] as AuditCaller
        ?? throw new InvalidOperationException("The endpoint has no RequireAuditCaller filter.");
}
