using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Model;

public sealed class Organization : Entity
{
    public required string Name { get; set; }

    public OrganizationSettings? Settings { get; set; }

    public List<Group> Groups { get; set; } = [];

    public List<UserOrganizationMembership> Memberships { get; set; } = [];
}
