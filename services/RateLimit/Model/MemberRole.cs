using Synaxis.ServiceKit.Data;

namespace Synaxis.RateLimit.Model;

/// <summary>
/// The RateLimit service's copy of a user's role in an organization, kept from Identity's events (the same
/// design as the Keys service's <c>MemberRole</c>): a signed identity can be minutes old, the events are newer.
/// A change applies only when newer than <see cref="RoleAsOf"/>; a removed member keeps the row with a
/// <see langword="null"/> role, so a late, older event cannot bring the role back.
/// </summary>
public sealed class MemberRole : Entity
{
    public Guid OrganizationId { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Owner, Admin or Member; <see langword="null"/> once the user left the organization.</summary>
    public string? Role { get; set; }

    /// <summary>When the fact this row holds happened (the event's time).</summary>
    public DateTimeOffset RoleAsOf { get; set; }
}
