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
}
