using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Model;

/// <summary>A user's role (Owner, Admin or Member) in one organization.</summary>
public sealed class UserOrganizationMembership : Entity
{
    public Guid UserId { get; set; }

    public SynaxisUser? User { get; set; }

    public Guid OrganizationId { get; set; }

    public Organization? Organization { get; set; }

    public required string Role { get; set; }
}

public sealed class UserGroupMembership : Entity
{
    public Guid UserId { get; set; }

    public Guid GroupId { get; set; }

    public Group? Group { get; set; }

    /// <summary>Denormalised so "a user's groups in this organization" needs no join.</summary>
    public Guid OrganizationId { get; set; }
}
