using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Model;

/// <summary>
/// An API key of a user in an organization. Only <see cref="SecretHash"/> (bcrypt) is stored: the full key is
/// shown once, when created or rotated. <see cref="KeyId"/> is the Base62 id part, the indexed lookup handle.
/// </summary>
public sealed class ApiKey : Entity
{
    public required string KeyId { get; set; }

    public required string SecretHash { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid? GroupId { get; set; }

    /// <summary>The owner: the key acts as this user.</summary>
    public Guid UserId { get; set; }

    public required string Name { get; set; }

    public List<string> Scopes { get; set; } = [];

    /// <summary><see langword="null"/>: every model.</summary>
    public List<string>? AllowedModels { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>The key this one replaced by rotation.</summary>
    public Guid? RotatedFromId { get; set; }

    /// <summary>The key that replaced this one; this one then expires at the end of the grace period.</summary>
    public Guid? ReplacedById { get; set; }

    /// <summary>PostgreSQL's row version (<c>xmin</c>): concurrent revoke and rotate of one key cannot both win.</summary>
    public uint Version { get; set; }

    public string Prefix => ApiKeyFormat.DisplayPrefix(KeyId);

    public bool IsRevoked => RevokedAt is not null;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expiresAt && expiresAt <= now;

    public string StatusAt(DateTimeOffset now) =>
        IsRevoked ? ApiKeyStatus.Revoked : IsExpiredAt(now) ? ApiKeyStatus.Expired : ApiKeyStatus.Active;
}

public static class ApiKeyStatus
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}
