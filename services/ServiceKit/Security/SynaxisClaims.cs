namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Claim names shared by the access JWT (issued by Identity, checked by the gateway) and the signed
/// internal identity (issued by the gateway, checked by every service).
/// </summary>
public static class SynaxisClaims
{
    public const string Subject = "sub";
    public const string OrganizationId = "org_id";
    public const string OrganizationRole = "org_role";

    /// <summary>One claim per group id the user belongs to in the organization.</summary>
    public const string Groups = "groups";

    /// <summary>API key id, when the caller authenticated with a key rather than a JWT.</summary>
    public const string KeyId = "key_id";

    /// <summary>One claim per scope (<c>inference</c>, <c>admin</c>) of an API key.</summary>
    public const string Scope = "scope";

    /// <summary>The gateway's request id, carried so every service logs and audits the same id.</summary>
    public const string RequestId = "rid";
}

/// <summary>Roles a user holds in an organization.</summary>
public static class OrganizationRoles
{
    public const string Owner = "Owner";
    public const string Admin = "Admin";
    public const string Member = "Member";

    public static readonly IReadOnlyList<string> All = [Owner, Admin, Member];

    public static bool IsManager(string? role) => role is Owner or Admin;
}
