using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.Keys.Infrastructure;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Services;

/// <summary>
/// Moves last-use times from the sorted set the gateways fill (<see cref="ApiKeyRedisKeys.LastUsed"/>:
/// member = key id, score = Unix seconds) into <c>LastUsedAt</c>, one batched UPDATE per round, never per
/// request. Entries are taken with ZPOPMIN, which is atomic: with several Keys instances each entry is
/// applied once, and a gateway's newer ZADD between read and removal cannot be lost. If the database
/// refuses the batch, the entries go back (ZADD GT keeps the newest) for the next round.
/// </summary>
public sealed partial class LastUsedDrainer(
    IServiceScopeFactory scopes,
    IConnectionMultiplexer redis,
    IOptions<KeysOptions> options,
    TimeProvider time,
    ILogger<LastUsedDrainer> logger) : BackgroundService
{
    private const int BatchSize = 1000;
    private const int MaxBatchesPerRound = 100;
    private const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LastUsedDrainInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await DrainAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogDrainFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <returns>How many keys were updated.</returns>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var updated = 0;
        for (var batch = 0; batch < MaxBatchesPerRound; batch++)
        {
            var entries = await database.SortedSetPopAsync(ApiKeyRedisKeys.LastUsed, BatchSize, Order.Ascending);
            if (entries.Length == 0)
            {
                break;
            }
            try
            {
                updated += await ApplyAsync(entries, cancellationToken);
            }
            catch
            {
                await database.SortedSetAddAsync(ApiKeyRedisKeys.LastUsed, entries, SortedSetWhen.GreaterThan);
                throw;
            }
            if (entries.Length < BatchSize)
            {
                break;
            }
        }
        return updated;
    }

    private async Task<int> ApplyAsync(SortedSetEntry[] entries, CancellationToken cancellationToken)
    {
        var keyIds = new List<string>(entries.Length);
        var usedAt = new List<DateTimeOffset>(entries.Length);
        foreach (var entry in entries)
        {
            // Whatever else lands in the set is dropped here, not sent to the database.
            if (entry.Element.ToString() is { } keyId && Base62.IsCanonical(keyId) &&
                double.IsFinite(entry.Score) && entry.Score is >= 0 and <= MaxUnixSeconds)
            {
                keyIds.Add(keyId);
                usedAt.Add(DateTimeOffset.FromUnixTimeSeconds((long)entry.Score));
            }
        }
        if (keyIds.Count == 0)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDbContext>();
        var ids = keyIds.ToArray();
        var times = usedAt.ToArray();
        // Only ever forward: entries may arrive late or twice.
        return await db.Database.ExecuteSqlAsync($"""
            UPDATE keys."ApiKeys" AS k
            SET "LastUsedAt" = v.used_at
            FROM unnest({ids}::text[], {times}::timestamptz[]) AS v(key_id, used_at)
            WHERE k."KeyId" = v.key_id AND (k."LastUsedAt" IS NULL OR k."LastUsedAt" < v.used_at)
            """, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining API key last-use times failed; the next round retries.")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
