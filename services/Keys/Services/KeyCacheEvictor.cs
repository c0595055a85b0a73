using System.Text.Json;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Services;

/// <summary>
/// Makes the gateways forget verified keys: deletes each key's shared Redis entry, then publishes its id on
/// the eviction channel so every gateway drops its in-process copy. In that order, so a gateway that
/// re-reads after the message finds nothing.
/// </summary>
public sealed partial class KeyCacheEvictor(IConnectionMultiplexer redis, ILogger<KeyCacheEvictor> logger)
{
    /// <summary>
    /// How long a revoked key's refusal marker stays in Redis. After it a gateway asks this service again (one
    /// bcrypt), which answers "revoked" and the gateway caches that refusal in turn.
    /// </summary>
    public static readonly TimeSpan RevokedMarkerTtl = TimeSpan.FromMinutes(10);

    /// <param name="revoked">
    /// The keys are revoked (not rotated, not re-roled): before the verified entry goes, its SHA-256 becomes a
    /// "revoked" refusal (<see cref="ApiKeyRedisKeys.Negative"/>), so every gateway refuses the key from Redis at
    /// once, without a verify call and its bcrypt (which alone can take most of a second on a busy machine).
    /// Only the holder of that exact key matches the marker, so it reveals nothing to anybody else.
    /// </param>
    public async Task EvictAsync(IReadOnlyCollection<string> keyIds, bool revoked = false)
    {
        if (keyIds.Count == 0)
        {
            return;
        }
        var database = redis.GetDatabase();
        var channel = RedisChannel.Literal(ApiKeyRedisKeys.EvictionChannel);
        if (revoked)
        {
            var entries = keyIds.Select(keyId => database.StringGetAsync(ApiKeyRedisKeys.Verified(keyId))).ToList();
            await Task.WhenAll(entries);
            var markers = keyIds.Zip(entries)
                .Select(pair => (KeyId: pair.First, Sha256: VerifiedEntrySha256(pair.Second.Result)))
                .Where(pair => pair.Sha256 is not null)
                .Select(pair => database.StringSetAsync(ApiKeyRedisKeys.Negative(pair.KeyId, pair.Sha256!), ApiKeyVerificationFailures.Revoked, RevokedMarkerTtl))
                .ToList();
            await Task.WhenAll(markers);
        }
        // One key per DEL: the entries hash to different cluster slots. Pipelined, not one round trip each.
        var deletes = keyIds.Select(keyId => database.KeyDeleteAsync(ApiKeyRedisKeys.Verified(keyId))).ToList();
        await Task.WhenAll(deletes);
        var publishes = keyIds.Select(keyId => database.PublishAsync(channel, keyId)).ToList();
        await Task.WhenAll(publishes);
        LogEvicted(logger, keyIds.Count);
    }

    /// <summary>
    /// For request paths where the change is already committed: a Redis failure is logged, not thrown, because
    /// the committed KeyRevoked/KeyRotated event evicts again once Redis answers.
    /// </summary>
    public async Task TryEvictAsync(IReadOnlyCollection<string> keyIds, bool revoked = false)
    {
        try
        {
            await EvictAsync(keyIds, revoked);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogEvictionFailed(logger, ex, keyIds.Count);
        }
    }

    /// <summary>The SHA-256 of a gateway's verified entry; null when absent, unreadable or not 64 lowercase hex digits.</summary>
    internal static string? VerifiedEntrySha256(RedisValue entry)
    {
        if (entry.IsNullOrEmpty)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize((byte[])entry!, ApiKeyJsonContext.Default.VerifiedKeyEntry)?.Sha256 is { Length: 64 } hex
                && !hex.AsSpan().ContainsAnyExcept("0123456789abcdef") ? hex : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Evicted {Count} API keys from the gateways' caches.")]
    private static partial void LogEvicted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not evict {Count} API keys from the gateways' caches now; their events will retry.")]
    private static partial void LogEvictionFailed(ILogger logger, Exception exception, int count);
}
