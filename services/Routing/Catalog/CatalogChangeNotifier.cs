using StackExchange.Redis;

namespace Synaxis.Routing.Catalog;

/// <summary>
/// Tells every Routing instance that providers, deployments or strategies changed, so each reloads its in-memory
/// catalog at once instead of at its next periodic refresh. Call it after the database has committed the change.
/// </summary>
public sealed partial class CatalogChangeNotifier(IConnectionMultiplexer redis, ILogger<CatalogChangeNotifier> logger)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("synaxis:routing:catalog");

    /// <summary>Raised in this process as well (the publisher's own instance reloads without waiting for Redis).</summary>
    public event Action? Changed;

    public async Task NotifyAsync()
    {
        Changed?.Invoke();
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, "changed");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The periodic refresh catches up; the change is committed either way.
            LogPublishFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce a catalog change; other instances see it at their next refresh.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
