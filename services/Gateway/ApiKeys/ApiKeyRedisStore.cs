using System.Text.Json;
using System.Text.Json.Serialization;
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

    public async Task<StoredVerdict> LookupAsync(string keyId, string hashHex)
    {
        var database = redis.GetDatabase();
        try
        {
            // Three commands, one round trip: the multiplexer pipelines what is sent before the first await.
            var verified = database.StringGetAsync(ApiKeyRedisKeys.Verified(keyId));
            var refused = database.StringGetAsync(ApiKeyRedisKeys.Negative(keyId, hashHex));
            var unknown = database.KeyExistsAsync(ApiKeyRedisKeys.Unknown(keyId));
            await Task.WhenAll(verified, refused, unknown);

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
                ? default
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
        var json = JsonSerializer.SerializeToUtf8Bytes(new StoredVerifiedKey(hashHex, key.Key), StoredKeyJsonContext.Default.StoredVerifiedKey);
        try
        {
            await redis.GetDatabase().StringSetAsync(ApiKeyRedisKeys.Verified(key.KeyId), json, ttl);
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

    private StoredEntry? Parse(RedisValue value, string keyId)
    {
        if (value.IsNull)
        {
            return null;
        }
        try
        {
            var stored = JsonSerializer.Deserialize((byte[])value!, StoredKeyJsonContext.Default.StoredVerifiedKey);
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

/// <summary>What Redis had for a key: a verified entry to compare with, or a refusal, or nothing.</summary>
internal readonly record struct StoredVerdict(StoredEntry? Verified, ApiKeyVerificationStatus? Refused);

internal sealed record StoredEntry(byte[] Sha256, VerifiedApiKey Key);

/// <summary>The value of <c>synaxis:keys:{id}:verified</c>: <c>{"sha256": hex, "key": VerifiedApiKey}</c>.</summary>
internal sealed record StoredVerifiedKey(string Sha256, VerifiedApiKey Key);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredVerifiedKey))]
internal sealed partial class StoredKeyJsonContext : JsonSerializerContext;
