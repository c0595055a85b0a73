using Microsoft.AspNetCore.Authorization;

namespace Synaxis.ServiceKit.Security;

/// <summary>Authorization policies every service registers (through <c>AddInternalIdentity</c>).</summary>
public static class SynaxisPolicies
{
    /// <summary>An authenticated caller acting within an organization (any role, or an API key).</summary>
    public const string Member = "SynaxisMember";

    /// <summary>A caller whose role in the organization is Owner or Admin.</summary>
    public const string OrganizationAdmin = "SynaxisOrganizationAdmin";

    public static void ConfigureMember(AuthorizationPolicyBuilder policy) => policy
        .RequireAuthenticatedUser()
        .RequireClaim(SynaxisClaims.OrganizationId);

    public static void ConfigureOrganizationAdmin(AuthorizationPolicyBuilder policy) => policy
        .RequireAuthenticatedUser()
        .RequireClaim(SynaxisClaims.OrganizationId)
        .RequireClaim(SynaxisClaims.OrganizationRole, OrganizationRoles.Owner, OrganizationRoles.Admin);
}
