using System.Security.Claims;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Who is calling, as the gateway established it: the organization the request acts in, the user (absent
/// for an API key acting alone), their role and groups there, the API key and its scopes when one was used,
/// and, for a request being served, the gateway's request id.
/// </summary>
/// <remarks>
/// The signed internal identity holds the caller without the request id, so one signature serves a caller's
/// requests for a while; the request id travels beside it in <c>x-request-id</c>.
/// </remarks>
public sealed record CallerIdentity
{
    public required Guid OrganizationId { get; init; }

    public Guid? UserId { get; init; }

    /// <summary><see cref="OrganizationRoles"/>: Owner, Admin or Member.</summary>
    public string? Role { get; init; }

    public IReadOnlyList<Guid> GroupIds { get; init; } = [];

    public Guid? KeyId { get; init; }

    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>The gateway's request id; not part of what <see cref="InternalIdentitySigner"/> signs.</summary>
    public string? RequestId { get; init; }

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

    /// <summary>
    /// A principal from claims made by <see cref="ToClaims"/> (copied, never shared), with <c>sub</c> as name and
    /// <c>org_role</c> as role, and the request id as <c>rid</c>.
    /// </summary>
    internal static ClaimsPrincipal CreatePrincipal(Claim[] callerClaims, string authenticationType, string requestId)
    {
        var identity = new ClaimsIdentity(callerClaims, authenticationType, SynaxisClaims.Subject, SynaxisClaims.OrganizationRole);
        identity.AddClaim(new Claim(SynaxisClaims.RequestId, requestId));
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The caller's claims without the request id: what a validated identity keeps to build each request's principal.</summary>
    internal Claim[] ToClaims()
    {
        var claims = new List<Claim>(4 + GroupIds.Count + Scopes.Count)
        {
            new(SynaxisClaims.OrganizationId, OrganizationId.ToString()),
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
        return [.. claims];
    }
}
