namespace Synaxis.RateLimit.Model;

/// <summary>
/// An organization Identity deleted (from <c>OrganizationDeleted</c>). Its members' tokens may still be valid
/// for minutes, and members this service never heard of have no <see cref="MemberRole"/> row to clear: this
/// tombstone refuses all of them, and a late policy for the organization cannot be created.
/// </summary>
public sealed class DeletedOrganization
{
    public Guid OrganizationId { get; set; }

    public DateTimeOffset DeletedAt { get; set; }
}
