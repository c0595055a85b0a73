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
    public async Task EvictAsync(IReadOnlyCollection<string> keyIds)
    {
        if (keyIds.Count == 0)
        {
            return;
        }
        var database = redis.GetDatabase();
        var channel = RedisChannel.Literal(ApiKeyRedisKeys.EvictionChannel);
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
    public async Task TryEvictAsync(IReadOnlyCollection<string> keyIds)
    {
        try
        {
            await EvictAsync(keyIds);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogEvictionFailed(logger, ex, keyIds.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Evicted {Count} API keys from the gateways' caches.")]
    private static partial void LogEvicted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not evict {Count} API keys from the gateways' caches now; their events will retry.")]
    private static partial void LogEvictionFailed(ILogger logger, Exception exception, int count);
}
