using Synaxis.Identity.Events;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Services;

/// <summary>
/// A new organization comes with its settings, a <c>default</c> group and its creator as Owner (in
/// that group). Everything is added to the context; the caller saves, so it is one transaction.
/// </summary>
public sealed class OrganizationProvisioner(IdentityDbContext db, IdentityEvents events)
{
    public Organization Provision(string name, Guid ownerId)
    {
        var organization = new Organization { Name = name.Trim() };
        organization.Settings = new OrganizationSettings { OrganizationId = organization.Id };
        var defaultGroup = new Group { OrganizationId = organization.Id, Name = "Default", Slug = Group.DefaultSlug };
        organization.Groups.Add(defaultGroup);
        organization.Memberships.Add(new UserOrganizationMembership
        {
            UserId = ownerId,
            OrganizationId = organization.Id,
            Role = OrganizationRoles.Owner,
        });
        defaultGroup.Memberships.Add(new UserGroupMembership
        {
            UserId = ownerId,
            GroupId = defaultGroup.Id,
            OrganizationId = organization.Id,
        });
        db.Organizations.Add(organization);

        events.Record(IdentityEventTypes.OrganizationCreated, organization.Id, before: null,
            after: new OrganizationSnapshot(organization.Id, organization.Name), actorId: ownerId);
        events.Record(IdentityEventTypes.GroupCreated, organization.Id, before: null,
            after: new GroupSnapshot(defaultGroup.Id, defaultGroup.Name, defaultGroup.Slug), actorId: ownerId);
        events.Record(IdentityEventTypes.MemberAdded, organization.Id, before: null,
            after: new MemberSnapshot(ownerId, OrganizationRoles.Owner, [defaultGroup.Id]), actorId: ownerId);
        return organization;
    }
}
