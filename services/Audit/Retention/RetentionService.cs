using Microsoft.Extensions.Options;
using Synaxis.Audit.Infrastructure;

namespace Synaxis.Audit.Retention;

/// <summary>Runs <see cref="RetentionSweeper"/> at start and then every <see cref="RetentionOptions.Interval"/> of the injected clock.</summary>
public sealed partial class RetentionService(
    IServiceScopeFactory scopes,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : PeriodicService(time)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
        var result = await scope.ServiceProvider.GetRequiredService<RetentionSweeper>().RunAsync(today, cancellationToken);
        if (result.PartitionsDropped > 0 || result.LogsDeleted > 0 || result.UsageDeleted > 0)
        {
            LogSwept(logger, today, result.PartitionsDropped, result.LogsDeleted, result.UsageDeleted, result.Checkpoints);
        }
    }

    protected override void LogFailed(Exception exception) => LogFailed(logger, exception);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Audit retention for {Today}: {Partitions} partitions dropped, {Logs} log rows and {Usage} usage rows deleted, {Checkpoints} checkpoints written")]
    private static partial void LogSwept(ILogger logger, DateOnly today, int partitions, long logs, long usage, long checkpoints);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit retention failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
