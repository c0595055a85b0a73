namespace Synaxis.Identity.Infrastructure;

/// <summary>Column sizes, shared by the schema and the request validation so the two never disagree.</summary>
public static class Limits
{
    public const int NameLength = 200;
    public const int SlugLength = 64;
    public const int EmailLength = 254;
    public const int PasswordMaxLength = 256;
    public const int ModelNameLength = 200;
    public const int MaxAuditRetentionDays = 3650;

    /// <summary>
    /// Groups one user may belong to in an organization: every group id travels in the access token and the
    /// gateway's signed identity, which must stay well under a header's size.
    /// </summary>
    public const int MaxGroupsPerMember = 100;
}
