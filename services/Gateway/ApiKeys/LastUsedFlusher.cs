using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// Every <see cref="ApiKeyOptions.LastUsedFlushInterval"/>, one <c>ZADD GT synaxis:keys:lastused</c> with the key ids
/// used since the last flush (score: Unix seconds); the Keys service drains the set into <c>LastUsedAt</c>. One write
/// per interval whatever the traffic; ids that could not be written are kept for the next flush; a last flush on stop.
/// </summary>
/// <remarks>Redis is resolved when the flusher starts, after the host has validated options (see <see cref="KeyEvictionSubscriber"/>).</remarks>
internal sealed partial class LastUsedFlusher(
    LastUsedRecorder recorder,
    IServiceProvider services,
    IOptions<ApiKeyOptions> options,
    TimeProvider time,
    ILogger<LastUsedFlusher> logger) : BackgroundService
{
    private const int MaxCarriedOver = 200_000;

    private HashSet<string> _carriedOver = new(StringComparer.Ordinal);
    private IConnectionMultiplexer? _redis;
    private int _stopped;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _redis = services.GetRequiredService<IConnectionMultiplexer>();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LastUsedFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Hosts may stop twice (a test host's dispose does), the second time with Redis already disposed: only the
        // first stop flushes. Seen as a flaky ObjectDisposedException in the test fixture's cleanup under load.
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await FlushAsync();
        }
    }

    internal async Task FlushAsync()
    {
        if (_redis is not { } redis)
        {
            return;
        }
        var keyIds = recorder.Drain();
        keyIds.UnionWith(_carriedOver);
        _carriedOver.Clear();
        if (keyIds.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var entries = new SortedSetEntry[keyIds.Count];
        var i = 0;
        foreach (var keyId in keyIds)
        {
            entries[i++] = new SortedSetEntry(keyId, now);
        }
        try
        {
            // GT: a gateway with a slow clock or a late flush never moves a key's last use backwards.
            await redis.GetDatabase().SortedSetAddAsync(ApiKeyRedisKeys.LastUsed, entries, SortedSetWhen.GreaterThan);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogFlushFailed(logger, exception, keyIds.Count);
            if (keyIds.Count <= MaxCarriedOver)
            {
                _carriedOver = keyIds;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of {Count} API keys; retrying at the next flush.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
