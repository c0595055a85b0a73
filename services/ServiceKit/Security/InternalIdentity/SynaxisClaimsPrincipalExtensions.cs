using System.Security.Claims;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Reads the caller from a principal built by the internal identity handler (in a service) or by the JWT
/// bearer handler (in the gateway). Values that are absent or do not parse read as absent.
/// </summary>
public static class SynaxisClaimsPrincipalExtensions
{
    /// <summary>The user, or <see langword="null"/> for an API key acting without a user.</summary>
    public static Guid? GetUserId(this ClaimsPrincipal principal) => principal.FindGuid(SynaxisClaims.Subject);

    /// <summary>
    /// The organization the request acts in. Only call it where <see cref="SynaxisPolicies.Member"/> (or
    /// stricter) has been required: there the claim is guaranteed, elsewhere its absence is a bug.
    /// </summary>
    /// <exception cref="InvalidOperationException">The principal carries no valid organization id.</exception>
    public static Guid GetOrganizationId(this ClaimsPrincipal principal) =>
        principal.FindOrganizationId() ?? throw new InvalidOperationException(
            $"The caller has no '{SynaxisClaims.OrganizationId}' claim: require the '{SynaxisPolicies.Member}' policy on this endpoint.");

    public static Guid? FindOrganizationId(this ClaimsPrincipal principal) => principal.FindGuid(SynaxisClaims.OrganizationId);

    public static string? GetOrganizationRole(this ClaimsPrincipal principal) =>
        principal.FindFirst(SynaxisClaims.OrganizationRole)?.Value is { Length: > 0 } role ? role : null;

    public static IReadOnlyList<Guid> GetGroupIds(this ClaimsPrincipal principal)
    {
        List<Guid>? groups = null;
        foreach (var claim in principal.FindAll(SynaxisClaims.Groups))
        {
            if (Guid.TryParse(claim.Value, out var groupId))
            {
                (groups ??= []).Add(groupId);
            }
        }
        return groups is null ? [] : groups;
    }

    public static Guid? GetKeyId(this ClaimsPrincipal principal) => principal.FindGuid(SynaxisClaims.KeyId);

    public static IReadOnlyList<string> GetScopes(this ClaimsPrincipal principal)
    {
        List<string>? scopes = null;
        foreach (var claim in principal.FindAll(SynaxisClaims.Scope))
        {
            if (claim.Value.Length > 0)
            {
                (scopes ??= []).Add(claim.Value);
            }
        }
        return scopes is null ? [] : scopes;
    }

    public static string? GetRequestId(this ClaimsPrincipal principal) => principal.FindFirst(SynaxisClaims.RequestId)?.Value;

    /// <summary>The whole caller, or <see langword="null"/> when unauthenticated or without an organization.</summary>
    public static CallerIdentity? GetCallerIdentity(this ClaimsPrincipal principal) =>
        principal.GetRequestId() is { Length: > 0 } requestId
            ? CallerIdentity.FromPrincipal(principal, requestId)
            : null;

    private static Guid? FindGuid(this ClaimsPrincipal principal, string claimType) =>
        principal.FindFirst(claimType)?.Value is { } value && Guid.TryParse(value, out var id) ? id : null;
}
