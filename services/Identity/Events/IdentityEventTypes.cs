namespace Synaxis.Identity.Events;

/// <summary>The events Identity publishes on <c>synaxis:events</c>; other services consume them.</summary>
public static class IdentityEventTypes
{
    public const string UserRegistered = "UserRegistered";
    public const string OrganizationCreated = "OrganizationCreated";
    public const string OrganizationUpdated = "OrganizationUpdated";
    public const string OrganizationDeleted = "OrganizationDeleted";
    public const string GroupCreated = "GroupCreated";
    public const string GroupUpdated = "GroupUpdated";
    public const string GroupDeleted = "GroupDeleted";
    public const string MemberAdded = "MemberAdded";
    public const string MemberRemoved = "MemberRemoved";
    public const string MemberRoleChanged = "MemberRoleChanged";
    public const string GroupMemberAdded = "GroupMemberAdded";
    public const string GroupMemberRemoved = "GroupMemberRemoved";
    public const string SettingsChanged = "SettingsChanged";
}

/// <summary>What the events carry as before/after values: only what consumers and the audit trail need.</summary>
public sealed record UserSnapshot(Guid Id, string Email, string DisplayName);

public sealed record OrganizationSnapshot(Guid Id, string Name);

public sealed record GroupSnapshot(Guid Id, string Name, string Slug);

public sealed record MemberSnapshot(Guid UserId, string Role, IReadOnlyList<Guid>? GroupIds = null);

public sealed record GroupMemberSnapshot(Guid UserId, Guid GroupId);

public sealed record SettingsSnapshot(int AuditRetentionDays, string RoutingStrategy, bool AllowPaidFallback, string? BaselineModel);
