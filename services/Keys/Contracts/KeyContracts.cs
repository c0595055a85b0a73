using System.ComponentModel.DataAnnotations;
using Synaxis.Keys.Infrastructure;

namespace Synaxis.Keys.Contracts;

/// <param name="Scopes">A non-empty subset of <c>inference</c> and <c>admin</c>.</param>
/// <param name="AllowedModels">Models the key may call; <see langword="null"/> for all.</param>
public sealed record CreateKeyRequest(
    [property: Required, StringLength(Limits.NameLength, MinimumLength = 1)] string Name,
    [property: NotEmptyGuid] Guid? GroupId,
    [property: Required, ApiKeyScopes] IReadOnlyList<string> Scopes,
    [property: InTheFuture] DateTimeOffset? ExpiresAt,
    [property: ModelNames] IReadOnlyList<string>? AllowedModels);

/// <param name="GracePeriodSeconds">How long the old key keeps working: 0 (not at all) to 7 days.</param>
public sealed record RotateKeyRequest(
    [property: Required, Range(0, Limits.MaxGracePeriodSeconds)] int? GracePeriodSeconds);

/// <summary>The answer to a create: the only time the full <see cref="Key"/> is ever shown.</summary>
public sealed record CreatedKeyResponse(
    Guid Id,
    string Key,
    string Prefix,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt,
    Guid? GroupId,
    IReadOnlyList<string>? AllowedModels);

/// <summary>The answer to a rotation: the new key, shown this once, and until when the old one still works.</summary>
public sealed record RotatedKeyResponse(
    Guid Id,
    string Key,
    string Prefix,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt,
    Guid? GroupId,
    IReadOnlyList<string>? AllowedModels,
    Guid RotatedFromId,
    DateTimeOffset PreviousKeyExpiresAt);

/// <summary>A key's metadata: never the secret or its hash.</summary>
/// <param name="Status"><c>active</c>, <c>expired</c> or <c>revoked</c>.</param>
public sealed record KeyResponse(
    Guid Id,
    string Prefix,
    string Name,
    Guid UserId,
    Guid? GroupId,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string>? AllowedModels,
    string Status,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    Guid? RotatedFromId,
    Guid? ReplacedById,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A page of keys, newest first.</summary>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; <see langword="null"/> on the last page.</param>
public sealed record KeyListResponse(IReadOnlyList<KeyResponse> Items, string? NextCursor);
