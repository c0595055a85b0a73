using System.ComponentModel.DataAnnotations;
using Synaxis.Identity.Infrastructure;

namespace Synaxis.Identity.Contracts;

public sealed record CreateGroupRequest(
    [property: Required, StringLength(Limits.NameLength, MinimumLength = 1)] string Name,
    [property: Required, StringLength(Limits.SlugLength, MinimumLength = 1), RegularExpression(GroupSlug.Pattern, ErrorMessage = GroupSlug.Rule)] string Slug);

public sealed record UpdateGroupRequest(
    [property: StringLength(Limits.NameLength, MinimumLength = 1), NotBlank] string? Name,
    [property: StringLength(Limits.SlugLength, MinimumLength = 1), RegularExpression(GroupSlug.Pattern, ErrorMessage = GroupSlug.Rule)] string? Slug);

public sealed record GroupResponse(Guid Id, string Name, string Slug, int MemberCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public static class GroupSlug
{
    public const string Pattern = "^[a-z0-9]+(-[a-z0-9]+)*$";
    public const string Rule = "A slug is lowercase letters and digits, words joined by single hyphens (e.g. 'data-science').";
}

public sealed record AddMemberRequest(
    [property: Required, StringLength(Limits.EmailLength), RegularExpression(EmailFormat.Pattern, ErrorMessage = EmailFormat.Rule)] string Email,
    [property: Required, AllowedValues("Owner", "Admin", "Member")] string Role);

public sealed record UpdateMemberRequest([property: Required, AllowedValues("Owner", "Admin", "Member")] string Role);

public sealed record MemberResponse(Guid UserId, string Email, string DisplayName, string Role, IReadOnlyList<Guid> GroupIds, DateTimeOffset JoinedAt);
