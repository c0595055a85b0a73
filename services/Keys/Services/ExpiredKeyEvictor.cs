using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Synaxis.Keys.Infrastructure;

namespace Synaxis.Keys.Services;

/// <summary>
/// Evicts keys from the gateways' caches when they reach their expiry, above all the old key of a rotation
/// at the end of its grace period. Gateways also check <c>expiresAt</c> in what they cached; this makes
/// sure a stale entry cannot outlive it. It looks back one cache lifetime at startup, so keys that expired
/// while no instance ran are evicted too. Several instances may evict the same key: that is harmless.
/// </summary>
public sealed partial class ExpiredKeyEvictor(
    IServiceScopeFactory scopes,
    KeyCacheEvictor evictor,
    IOptions<KeysOptions> options,
    TimeProvider time,
    ILogger<ExpiredKeyEvictor> logger) : BackgroundService
{
    /// <summary>The gateway's Redis cache lifetime: nothing older can still be cached.</summary>
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweptUntil = time.GetUtcNow() - CacheLifetime;
        using var timer = new PeriodicTimer(options.Value.ExpirySweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    sweptUntil = await SweepAsync(sweptUntil, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<DateTimeOffset> SweepAsync(DateTimeOffset after, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDbContext>();
        var expired = await db.ApiKeys.AsNoTracking()
            .Where(k => k.RevokedAt == null && k.ExpiresAt > after && k.ExpiresAt <= now)
            .Select(k => k.KeyId)
            .ToListAsync(cancellationToken);
        await evictor.EvictAsync(expired);
        return now;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicting expired API keys failed; the next round retries.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
