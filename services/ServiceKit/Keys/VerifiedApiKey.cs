using System.Text.Json;
using System.Text.Json.Serialization;

namespace Synaxis.ServiceKit.Keys;

/// <summary>
/// The 200 answer of the Keys service's <c>POST /internal/keys/verify</c> (camelCase JSON), and what the gateway
/// caches: who a valid key belongs to and what it may do.
/// </summary>
/// <param name="KeyId">The Base62 id part of the key.</param>
/// <param name="ApiKeyId">The key's row id (what the Keys API calls <c>id</c>).</param>
/// <param name="Role">The owner's current role in the organization, or <see langword="null"/> when the Keys service does not know it.</param>
/// <param name="AllowedModels"><see langword="null"/>: every model.</param>
public sealed record VerifiedApiKey(
    string KeyId,
    Guid ApiKeyId,
    Guid OrganizationId,
    Guid UserId,
    Guid? GroupId,
    string? Role,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string>? AllowedModels,
    DateTimeOffset? ExpiresAt);

/// <summary>
/// The value of <see cref="ApiKeyRedisKeys.Verified"/> (<c>{"sha256": hex, "key": …}</c>): the lowercase hex SHA-256 of
/// the full key a gateway had verified, and the Keys service's answer for it. Gateways write and read it; Keys reads
/// its SHA-256 when it revokes the key.
/// </summary>
public sealed record VerifiedKeyEntry(string Sha256, VerifiedApiKey Key);

/// <summary>The body of <c>POST /internal/keys/verify</c>.</summary>
public sealed record VerifyApiKeyRequest(string Key);

/// <summary>The <c>reason</c> extension of a 401 from the verify endpoint.</summary>
public static class ApiKeyVerificationFailures
{
    /// <summary>The ProblemDetails extension that carries the reason.</summary>
    public const string ReasonExtension = "reason";

    /// <summary>Malformed, or no key with that id.</summary>
    public const string Unknown = "unknown";

    /// <summary>The id exists, the secret is wrong.</summary>
    public const string Mismatch = "mismatch";

    public const string Revoked = "revoked";

    public const string Expired = "expired";
}

/// <summary>The scopes an API key can carry.</summary>
public static class ApiKeyScopes
{
    public const string Inference = "inference";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Inference, Admin];

    public static bool IsKnown(string? scope) => scope is Inference or Admin;
}

/// <summary>Where the Keys service and the gateway meet in Redis (see the keys contract). Hash tags keep a key's entries on one slot.</summary>
public static class ApiKeyRedisKeys
{
    /// <summary>Channel whose messages are key ids whose cached verifications must be dropped.</summary>
    public const string EvictionChannel = "synaxis:keys:evictions";

    /// <summary>Sorted set: member = key id, score = last use in Unix seconds. Written by gateways, drained by Keys.</summary>
    public const string LastUsed = "synaxis:keys:lastused";

    public static string Verified(string keyId) => $"synaxis:keys:{{{keyId}}}:verified";

    /// <summary>
    /// A refusal of one exact key (its SHA-256, lowercase hex): value <c>mismatch</c>, <c>revoked</c> or <c>expired</c>.
    /// Gateways write it after a refusal from Keys; Keys writes <c>revoked</c> itself when it revokes a key the
    /// gateways had verified (from the SHA-256 in <see cref="Verified"/>), so no gateway has to ask it again.
    /// </summary>
    public static string Negative(string keyId, string sha256Hex) => $"synaxis:keys:{{{keyId}}}:neg:{sha256Hex}";

    public static string Unknown(string keyId) => $"synaxis:keys:unknown:{keyId}";

    public static string Failures(string keyId) => $"synaxis:keys:{{{keyId}}}:failures";

    public static string FailuresByAddress(string address) => $"synaxis:keys:failures:ip:{address}";
}

/// <summary>Source-generated (camelCase) JSON for the verify endpoint's types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VerifiedApiKey))]
[JsonSerializable(typeof(VerifiedKeyEntry))]
[JsonSerializable(typeof(VerifyApiKeyRequest))]
public sealed partial class ApiKeyJsonContext : JsonSerializerContext;
