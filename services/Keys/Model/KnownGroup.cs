using Synaxis.ServiceKit.Data;

namespace Synaxis.Keys.Model;

/// <summary>
/// The Keys service's copy of a group of an organization, kept from Identity's <c>GroupCreated</c> and
/// <c>GroupDeleted</c> events so that a key can only name a group of its own organization. A deleted group
/// keeps its row, soft-deleted (<see cref="Entity.DeletedAt"/>): a late <c>GroupCreated</c> arriving after
/// the deletion then cannot bring it back. Keys already attached to a deleted group keep working; deleting
/// a group revokes nothing (Identity decides what membership means, the key stays the owner's).
/// </summary>
public sealed class KnownGroup : Entity
{
    public Guid OrganizationId { get; set; }

    /// <summary>Identity's id of the group.</summary>
    public Guid GroupId { get; set; }
}
