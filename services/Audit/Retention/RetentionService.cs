using Microsoft.Extensions.Options;

namespace Synaxis.Audit.Retention;

/// <summary>Runs <see cref="RetentionSweeper"/> at start and then every <see cref="RetentionOptions.Interval"/> of the injected clock.</summary>
public sealed partial class RetentionService(
    IServiceScopeFactory scopes,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
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
                await using var scope = scopes.CreateAsyncScope();
                var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
                var result = await scope.ServiceProvider.GetRequiredService<RetentionSweeper>().RunAsync(today, stoppingToken);
                if (result.PartitionsDropped > 0 || result.LogsDeleted > 0 || result.UsageDeleted > 0)
                {
                    LogSwept(logger, today, result.PartitionsDropped, result.LogsDeleted, result.UsageDeleted, result.Checkpoints);
                }
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

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Audit retention for {Today}: {Partitions} partitions dropped, {Logs} log rows and {Usage} usage rows deleted, {Checkpoints} checkpoints written")]
    private static partial void LogSwept(ILogger logger, DateOnly today, int partitions, long logs, long usage, long checkpoints);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit retention failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
