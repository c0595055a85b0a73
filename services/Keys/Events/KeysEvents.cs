using System.Text.Json;
using System.Text.Json.Serialization;
using Synaxis.Keys.Model;

namespace Synaxis.Keys.Events;

/// <summary>The events Keys publishes on <c>synaxis:events</c>, and the ones it consumes from Identity.</summary>
public static class KeysEventTypes
{
    public const string KeyCreated = "KeyCreated";
    public const string KeyRevoked = "KeyRevoked";
    public const string KeyRotated = "KeyRotated";

    /// <summary>The owner's role changed: what their keys may do changed with it, so caches must drop them.</summary>
    public const string KeyOwnerRoleChanged = "KeyOwnerRoleChanged";

    // Identity's, consumed here.
    public const string OrganizationDeleted = "OrganizationDeleted";
    public const string MemberAdded = "MemberAdded";
    public const string MemberRemoved = "MemberRemoved";
    public const string MemberRoleChanged = "MemberRoleChanged";
    public const string GroupCreated = "GroupCreated";
    public const string GroupDeleted = "GroupDeleted";
}

/// <summary>Why a key was revoked (<see cref="KeyRevokedData.Reason"/>).</summary>
public static class RevocationReasons
{
    public const string Deleted = "deleted";
    public const string OrganizationDeleted = "organizationDeleted";
    public const string MemberRemoved = "memberRemoved";
}

/// <summary>A key as events describe it: metadata only, never the secret or its hash.</summary>
public sealed record KeySnapshot(
    Guid Id,
    string KeyId,
    string Prefix,
    string Name,
    Guid UserId,
    Guid? GroupId,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string>? AllowedModels,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    public static KeySnapshot Of(ApiKey key) => new(
        key.Id, key.KeyId, key.Prefix, key.Name, key.UserId, key.GroupId, [.. key.Scopes],
        key.AllowedModels is null ? null : [.. key.AllowedModels], key.ExpiresAt, key.RevokedAt);
}

public sealed record KeyCreatedData(KeySnapshot Key);

public sealed record KeyRevokedData(KeySnapshot Key, string Reason);

public sealed record KeyOwnerRoleChangedData(Guid UserId, string Role, IReadOnlyList<string> KeyIds);

/// <param name="Key">The old key, with the expiry its grace period gave it.</param>
/// <param name="Replacement">The new key.</param>
public sealed record KeyRotatedData(KeySnapshot Key, KeySnapshot Replacement, int GracePeriodSeconds);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(KeyCreatedData))]
[JsonSerializable(typeof(KeyRevokedData))]
[JsonSerializable(typeof(KeyRotatedData))]
[JsonSerializable(typeof(KeyOwnerRoleChangedData))]
internal sealed partial class KeysEventsJsonContext : JsonSerializerContext;
