using Microsoft.Extensions.Options;
using Synaxis.Audit.Infrastructure;

namespace Synaxis.Audit.Partitions;

/// <summary>
/// Keeps the daily partitions of today and the next <see cref="PartitionOptions.DaysAhead"/> days ready, at start and
/// then every <see cref="PartitionOptions.Interval"/> of the injected clock, so ingestion almost never has to create
/// one (it still does for an event dated outside that range).
/// </summary>
public sealed partial class PartitionMaintenance(
    IServiceScopeFactory scopes,
    PartitionCatalog catalog,
    IOptions<PartitionOptions> options,
    TimeProvider time,
    ILogger<PartitionMaintenance> logger) : BackgroundService
{
    private int _completedRuns;

    /// <summary>Runs finished (successfully or not) since the start.</summary>
    public int CompletedRuns => Volatile.Read(ref _completedRuns);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
            // The next wait starts before the run counts as done, so whoever watches CompletedRuns and then moves the
            // clock (a test's fake one) can never move it before the wait exists.
            var next = Task.Delay(options.Value.Interval, time, stoppingToken);
            Interlocked.Increment(ref _completedRuns);
            try
            {
                await next;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    /// <returns>How many partitions were created.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuditDbContext>();
        var created = await catalog.EnsureRangeAsync(db, today, options.Value.DaysAhead + 1, cancellationToken);
        if (created > 0)
        {
            LogCreated(logger, created, today, today.AddDays(options.Value.DaysAhead));
        }
        return created;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created {Count} audit partitions for {From} to {To}")]
    private static partial void LogCreated(ILogger logger, int count, DateOnly from, DateOnly to);

    [LoggerMessage(Level = LogLevel.Error, Message = "Creating the audit partitions ahead failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
