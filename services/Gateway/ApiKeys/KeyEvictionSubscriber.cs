using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// Obeys revocations: every message on <c>synaxis:keys:evictions</c> is a key id whose verified entry this gateway
/// drops at once, and whose shared Redis entry it deletes again (a gateway that verified the key while Keys was
/// revoking it may have written it back after Keys' own DEL). Subscribed before the gateway serves requests; if the
/// subscription connection is lost, evictions may have been missed, so every verified entry is dropped on reconnect.
/// </summary>
/// <remarks>
/// Redis is resolved in <see cref="StartAsync"/>, not the constructor: the host builds its hosted services before it
/// validates options, and a missing connection string must not hide a <c>SecurityConfigurationException</c>.
/// Resolving it here also connects Redis before the first request, which then never waits on a connect.
/// </remarks>
internal sealed partial class KeyEvictionSubscriber(
    IServiceProvider services,
    ApiKeyCache cache,
    ILogger<KeyEvictionSubscriber> logger) : IHostedService, IDisposable
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(ApiKeyRedisKeys.EvictionChannel);

    private readonly CancellationTokenSource _stopping = new();
    private IConnectionMultiplexer? _redis;
    private Task? _retry;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _redis = services.GetRequiredService<IConnectionMultiplexer>();
        _redis.ConnectionRestored += OnConnectionRestored;
        if (!await TrySubscribeAsync())
        {
            // Not fatal: the gateway can still serve cached and JWT callers; keep trying in the background.
            _retry = RetryAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Hosts may stop twice (a test host's dispose does); only the first stop has work to do.
        if (Interlocked.Exchange(ref _redis, null) is not { } redis)
        {
            return;
        }
        redis.ConnectionRestored -= OnConnectionRestored;
        await _stopping.CancelAsync();
        if (_retry is not null)
        {
            await _retry.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(Channel, OnEviction);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Shutting down: the connection goes with the process.
        }
    }

    // Cancel, never dispose: the token has no timer to free, and a host that disposes before (or without) stopping
    // must still find StopAsync callable.
    public void Dispose() => _stopping.Cancel();

    private async Task<bool> TrySubscribeAsync()
    {
        if (Volatile.Read(ref _redis) is not { } redis)
        {
            return false; // stopped
        }
        try
        {
            await redis.GetSubscriber().SubscribeAsync(Channel, OnEviction);
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogSubscribeFailed(logger, exception);
            return false;
        }
    }

    private async Task RetryAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!stopping.IsCancellationRequested && await TrySubscribeAsync())
            {
                cache.ClearVerified();
                return;
            }
        }
    }

    private void OnEviction(RedisChannel channel, RedisValue message)
    {
        var keyId = message.ToString();
        if (!Base62.IsCanonical(keyId))
        {
            LogIgnored(logger);
            return;
        }
        cache.Evict(keyId);
        if (Volatile.Read(ref _redis) is { } redis)
        {
            _ = redis.GetDatabase().KeyDeleteAsync(ApiKeyRedisKeys.Verified(keyId), CommandFlags.FireAndForget);
        }
        LogEvicted(logger, ApiKeyFormat.DisplayPrefix(keyId));
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            cache.ClearVerified();
            LogResubscribed(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {KeyPrefix} evicted from the gateway's cache.")]
    private static partial void LogEvicted(ILogger logger, string keyPrefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an eviction message that is not a key id.")]
    private static partial void LogIgnored(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis subscription came back; dropped every cached API key, as evictions may have been missed.")]
    private static partial void LogResubscribed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not subscribe to API key evictions; retrying every second.")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
