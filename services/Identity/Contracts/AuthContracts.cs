using System.ComponentModel.DataAnnotations;
using Synaxis.Identity.Infrastructure;

namespace Synaxis.Identity.Contracts;

public sealed record RegisterRequest(
    [property: Required, StringLength(Limits.EmailLength), RegularExpression(EmailFormat.Pattern, ErrorMessage = EmailFormat.Rule)] string Email,
    [property: Required, StringLength(Limits.PasswordMaxLength)] string Password,
    [property: Required, StringLength(Limits.NameLength, MinimumLength = 1)] string DisplayName,
    [property: Required, StringLength(Limits.NameLength, MinimumLength = 1)] string OrganizationName);

public sealed record LoginRequest(
    [property: Required, StringLength(Limits.EmailLength), RegularExpression(EmailFormat.Pattern, ErrorMessage = EmailFormat.Rule)] string Email,
    [property: Required, StringLength(Limits.PasswordMaxLength)] string Password,
    Guid? OrganizationId);

public sealed record RefreshRequest([property: Required, StringLength(200)] string RefreshToken);

public sealed record TokenResponse(
    Guid UserId,
    Guid OrganizationId,
    string AccessToken,
    string RefreshToken,
    int ExpiresIn,
    string TokenType = "Bearer");
