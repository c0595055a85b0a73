using System.ComponentModel.DataAnnotations;
using Synaxis.Identity.Infrastructure;

namespace Synaxis.Identity.Contracts;

public sealed record CreateOrganizationRequest(
    [property: Required, StringLength(Limits.NameLength, MinimumLength = 1)] string Name);

public sealed record UpdateOrganizationRequest(
    [property: Required, StringLength(Limits.NameLength, MinimumLength = 1)] string Name);

public sealed record OrganizationResponse(Guid Id, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// PUT replaces the settings, so every value is required (nullable here only so that a missing one is
/// reported rather than read as 0 or false); a null or blank <c>baselineModel</c> means none.
/// </summary>
public sealed record OrganizationSettingsRequest(
    [property: Required, Range(1, Limits.MaxAuditRetentionDays)] int? AuditRetentionDays,
    [property: Required, AllowedValues("miser", "cost", "performance", "balanced")] string RoutingStrategy,
    [property: Required] bool? AllowPaidFallback,
    [property: StringLength(Limits.ModelNameLength)] string? BaselineModel);

public sealed record OrganizationSettingsResponse(
    int AuditRetentionDays, string RoutingStrategy, bool AllowPaidFallback, string? BaselineModel, DateTimeOffset UpdatedAt);

public sealed record MeResponse(Guid Id, string Email, string DisplayName, Guid OrganizationId, DateTimeOffset CreatedAt, IReadOnlyList<MembershipResponse> Memberships);

public sealed record MembershipResponse(Guid OrganizationId, string OrganizationName, string Role, IReadOnlyList<GroupSummary> Groups);

public sealed record GroupSummary(Guid Id, string Name, string Slug);
