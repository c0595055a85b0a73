using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Model;

/// <summary>
/// One refresh token, stored as a SHA-256 hash. Tokens rotate: each use spends the token and issues
/// the next one in the same family; presenting a spent token revokes the whole family, because it
/// means the token was stolen (either the thief or the user is replaying it). A soft-deleted token is
/// hidden by the query filter, so it is as unusable as one that never existed.
/// </summary>
public sealed class RefreshToken : IAuditable, ISoftDeletable
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string TokenHash { get; set; }

    public Guid FamilyId { get; set; }

    public Guid UserId { get; set; }

    public Guid OrganizationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? SpentAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public Guid? DeletedBy { get; set; }
}
