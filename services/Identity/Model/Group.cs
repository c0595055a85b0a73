using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Model;

/// <summary>A flat group of an organization's users; its slug is unique within the organization.</summary>
public sealed class Group : Entity
{
    public const string DefaultSlug = "default";

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    public required string Slug { get; set; }

    public List<UserGroupMembership> Memberships { get; set; } = [];
}
