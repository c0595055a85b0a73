using System.Security.Claims;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Who is calling, as the gateway established it: the organization the request acts in, the user (absent
/// for an API key acting alone), their role and groups there, the API key and its scopes when one was used,
/// and the gateway's request id.
/// </summary>
public sealed record CallerIdentity
{
    public required Guid OrganizationId { get; init; }

    public Guid? UserId { get; init; }

    /// <summary><see cref="OrganizationRoles"/>: Owner, Admin or Member.</summary>
    public string? Role { get; init; }

    public IReadOnlyList<Guid> GroupIds { get; init; } = [];

    public Guid? KeyId { get; init; }

    public IReadOnlyList<string> Scopes { get; init; } = [];

    public required string RequestId { get; init; }

    public bool IsOrganizationManager => OrganizationRoles.IsManager(Role);

    /// <summary>
    /// Reads the caller from claims named as in <see cref="SynaxisClaims"/>; <see langword="null"/> when the
    /// principal is unauthenticated or has no valid organization id. Ids that do not parse are left out.
    /// </summary>
    public static CallerIdentity? FromPrincipal(ClaimsPrincipal principal, string requestId)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        if (principal.Identity?.IsAuthenticated != true || principal.FindOrganizationId() is not { } organizationId)
        {
            return null;
        }
        return new CallerIdentity
        {
            OrganizationId = organizationId,
            UserId = principal.GetUserId(),
            Role = principal.GetOrganizationRole(),
            GroupIds = principal.GetGroupIds(),
            KeyId = principal.GetKeyId(),
            Scopes = principal.GetScopes(),
            RequestId = requestId,
        };
    }

    /// <summary>Claims named as in <see cref="SynaxisClaims"/>, with <c>sub</c> as name and <c>org_role</c> as role.</summary>
    public ClaimsPrincipal ToClaimsPrincipal(string authenticationType)
    {
        var claims = new List<Claim>(4 + GroupIds.Count + Scopes.Count)
        {
            new(SynaxisClaims.OrganizationId, OrganizationId.ToString()),
            new(SynaxisClaims.RequestId, RequestId),
        };
        if (UserId is { } userId)
        {
            claims.Add(new Claim(SynaxisClaims.Subject, userId.ToString()));
        }
        if (!string.IsNullOrEmpty(Role))
        {
            claims.Add(new Claim(SynaxisClaims.OrganizationRole, Role));
        }
        foreach (var groupId in GroupIds)
        {
            claims.Add(new Claim(SynaxisClaims.Groups, groupId.ToString()));
        }
        if (KeyId is { } keyId)
        {
            claims.Add(new Claim(SynaxisClaims.KeyId, keyId.ToString()));
        }
        foreach (var scope in Scopes)
        {
            claims.Add(new Claim(SynaxisClaims.Scope, scope));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(
            claims, authenticationType, SynaxisClaims.Subject, SynaxisClaims.OrganizationRole));
    }
}
