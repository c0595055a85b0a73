using Microsoft.AspNetCore.Authorization;

namespace Synaxis.ServiceKit.Security;

/// <summary>Authorization policies every service registers (through <c>AddInternalIdentity</c>).</summary>
public static class SynaxisPolicies
{
    /// <summary>An authenticated caller acting within an organization (any role, or an API key).</summary>
    public const string Member = "SynaxisMember";

    /// <summary>A caller whose role in the organization is Owner or Admin.</summary>
    public const string OrganizationAdmin = "SynaxisOrganizationAdmin";

    /// <summary>
    /// Service-to-service calls (the gateway asking Keys to verify an API key): an authenticated internal
    /// identity carrying the <see cref="InternalScope"/> scope. API keys can only hold <c>inference</c> and
    /// <c>admin</c>, so no client credential can ever carry it.
    /// </summary>
    public const string Internal = "SynaxisInternal";

    /// <summary>The scope that marks an internal identity as a service's own call.</summary>
    public const string InternalScope = "internal";

    public static void ConfigureMember(AuthorizationPolicyBuilder policy) => policy
        .RequireAuthenticatedUser()
        .RequireClaim(SynaxisClaims.OrganizationId);

    public static void ConfigureOrganizationAdmin(AuthorizationPolicyBuilder policy) => policy
        .RequireAuthenticatedUser()
        .RequireClaim(SynaxisClaims.OrganizationId)
        .RequireClaim(SynaxisClaims.OrganizationRole, OrganizationRoles.Owner, OrganizationRoles.Admin);

    public static void ConfigureInternal(AuthorizationPolicyBuilder policy) => policy
        .RequireAuthenticatedUser()
        .RequireClaim(SynaxisClaims.Scope, InternalScope);
}
