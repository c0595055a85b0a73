using Synaxis.ServiceKit.Data;

namespace Synaxis.ServiceKit.Membership;

/// <summary>
/// A service's copy of a user's role in an organization, kept from Identity's events so the service knows
/// what a caller may do now (a signed identity can be minutes old; the events are newer), without calling Identity. Events can arrive out of
/// order, so a change applies only when it is newer than <see cref="RoleAsOf"/>; a removed member keeps the
/// row with a <see langword="null"/> role, so a late, older event cannot bring the role back.
/// </summary>
public sealed class MemberRole : Entity
{
    public Guid OrganizationId { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Owner, Admin or Member; <see langword="null"/> once the user left the organization.</summary>
    public string? Role { get; set; }

    /// <summary>When the fact this row holds happened (the event's time; the epoch for a role seen only in a caller's token).</summary>
    public DateTimeOffset RoleAsOf { get; set; }
}
