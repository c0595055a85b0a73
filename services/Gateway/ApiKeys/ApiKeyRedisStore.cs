using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// The verdicts gateways share in Redis (keys contract): <c>synaxis:keys:{id}:verified</c> (SHA-256 of the key and
/// the Keys service's answer), and the refusals <c>synaxis:keys:{id}:neg:&lt;sha256&gt;</c> and
/// <c>synaxis:keys:unknown:&lt;id&gt;</c>. A Redis that does not answer reads as a miss: the limiter, which must
/// answer, decides what happens next.
/// </summary>
internal sealed partial class ApiKeyRedisStore(
    IConnectionMultiplexer redis,
    IOptions<ApiKeyOptions> options,
    TimeProvider time,
    ILogger<ApiKeyRedisStore> logger)
{
    private readonly TimeSpan _verifiedTtl = options.Value.RedisCacheTtl;
    private readonly TimeSpan _refusedTtl = options.Value.RedisNegativeCacheTtl;
    private readonly TimeSpan _knownSecretTtl = options.Value.KnownSecretTtl;

    /// <summary>
    /// The gateways' own record (outside the keys contract, same hash slot as the id's other keys): the SHA-256 of the
    /// last secret the Keys service verified for the id, kept for <see cref="ApiKeyOptions.KnownSecretTtl"/>. It
    /// grants nothing: it only spares the right secret the per-key failure limit (see <see cref="ApiKeyResolver"/>).
    /// </summary>
    public static string KnownSecret(string keyId) => $"synaxis:keys:{{{keyId}}}:known";

    public async Task<StoredVerdict> LookupAsync(string keyId, string hashHex)
    {
        var database = redis.GetDatabase();
        try
        {
            // Four commands, one round trip: the multiplexer pipelines what is sent before the first await.
            var verified = database.StringGetAsync(ApiKeyRedisKeys.Verified(keyId));
            var refused = database.StringGetAsync(ApiKeyRedisKeys.Negative(keyId, hashHex));
            var unknown = database.KeyExistsAsync(ApiKeyRedisKeys.Unknown(keyId));
            var known = database.StringGetAsync(KnownSecret(keyId));
            await Task.WhenAll(verified, refused, unknown, known);

            if (Parse(await verified, keyId) is { } entry)
            {
                return new StoredVerdict(entry, null);
            }
            if (await unknown)
            {
                return new StoredVerdict(null, ApiKeyVerificationStatus.Unknown);
            }
            var reason = await refused;
            return reason.IsNull
                ? new StoredVerdict(null, null, IsKnownSecret(await known, hashHex))
                : new StoredVerdict(null, ApiKeyVerification.FromReason(reason.ToString()) switch
                {
                    ApiKeyVerificationStatus.Unknown => ApiKeyVerificationStatus.Mismatch, // stored under the id: the id exists
                    var status => status,
                });
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisFailed(logger, exception, "read");
            return default;
        }
    }

    /// <summary>Written after a 200 from Keys, for <see cref="ApiKeyOptions.RedisCacheTtl"/> or until the key expires if sooner.</summary>
    public async Task SetVerifiedAsync(CachedApiKey key, string hashHex)
    {
        var ttl = _verifiedTtl;
        if (key.Key.ExpiresAt is { } expiresAt && expiresAt - time.GetUtcNow() < ttl)
        {
            ttl = expiresAt - time.GetUtcNow();
            if (ttl <= TimeSpan.Zero)
            {
                return;
            }
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(new VerifiedKeyEntry(hashHex, key.Key), ApiKeyJsonContext.Default.VerifiedKeyEntry);
        try
        {
            var database = redis.GetDatabase();
            var known = database.StringSetAsync(KnownSecret(key.KeyId), hashHex, _knownSecretTtl);
            await database.StringSetAsync(ApiKeyRedisKeys.Verified(key.KeyId), json, ttl);
            await known;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisFailed(logger, exception, "write");
        }
    }

    /// <summary>Fire and forget: the caller's answer does not depend on it, and the next miss only costs one more verify.</summary>
    public void SetRefused(string keyId, string hashHex, ApiKeyVerificationStatus status)
    {
        var (redisKey, reason) = status switch
        {
            ApiKeyVerificationStatus.Unknown => (ApiKeyRedisKeys.Unknown(keyId), ApiKeyVerificationFailures.Unknown),
            ApiKeyVerificationStatus.Revoked => (ApiKeyRedisKeys.Negative(keyId, hashHex), ApiKeyVerificationFailures.Revoked),
            ApiKeyVerificationStatus.Expired => (ApiKeyRedisKeys.Negative(keyId, hashHex), ApiKeyVerificationFailures.Expired),
            _ => (ApiKeyRedisKeys.Negative(keyId, hashHex), ApiKeyVerificationFailures.Mismatch),
        };
        try
        {
            _ = redis.GetDatabase().StringSetAsync(redisKey, reason, _refusedTtl, flags: CommandFlags.FireAndForget);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisFailed(logger, exception, "write");
        }
    }

    public async Task DeleteVerifiedAsync(string keyId)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(ApiKeyRedisKeys.Verified(keyId));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisFailed(logger, exception, "delete");
        }
    }

    /// <summary>Both are lowercase hex of a SHA-256 (<see cref="KeyHash.ToHex"/>); compared in constant time all the same.</summary>
    private static bool IsKnownSecret(RedisValue known, string hashHex)
    {
        if (known.IsNull)
        {
            return false;
        }
        var stored = known.ToString();
        return stored.Length == hashHex.Length &&
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(stored), System.Text.Encoding.ASCII.GetBytes(hashHex));
    }

    private StoredEntry? Parse(RedisValue value, string keyId)
    {
        if (value.IsNull)
        {
            return null;
        }
        try
        {
            var stored = JsonSerializer.Deserialize((byte[])value!, ApiKeyJsonContext.Default.VerifiedKeyEntry);
            var sha256 = new byte[KeyHash.Size];
            if (stored?.Key is { } key && string.Equals(key.KeyId, keyId, StringComparison.Ordinal) &&
                stored.Sha256 is { Length: KeyHash.Size * 2 } hex &&
                Convert.FromHexString(hex, sha256, out _, out var written) == System.Buffers.OperationStatus.Done &&
                written == KeyHash.Size)
            {
                return new StoredEntry(sha256, key);
            }
        }
        catch (JsonException)
        {
        }
        LogUnreadableEntry(logger, ApiKeyFormat.DisplayPrefix(keyId));
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {Operation} of an API key verdict failed; going on without it.")]
    private static partial void LogRedisFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cached verification of API key {KeyPrefix} is unreadable; ignoring it.")]
    private static partial void LogUnreadableEntry(ILogger logger, string keyPrefix);
}

/// <summary>
/// What Redis had for a key: a verified entry to compare with, or a refusal, or nothing; and, when nothing, whether
/// the presented secret is the one last verified for its id (<see cref="ApiKeyRedisStore.KnownSecret"/>).
/// </summary>
internal readonly record struct StoredVerdict(StoredEntry? Verified, ApiKeyVerificationStatus? Refused, bool KnownSecret = false);

internal sealed record StoredEntry(byte[] Sha256, VerifiedApiKey Key);
