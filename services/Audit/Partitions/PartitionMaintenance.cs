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
    ILogger<PartitionMaintenance> logger) : PeriodicService(time)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override void LogFailed(Exception exception) => LogFailed(logger, exception);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuditDbContext>();
        var created = await catalog.EnsureRangeAsync(db, today, options.Value.DaysAhead + 1, cancellationToken);
        if (created > 0)
        {
            LogCreated(logger, created, today, today.AddDays(options.Value.DaysAhead));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created {Count} audit partitions for {From} to {To}")]
    private static partial void LogCreated(ILogger logger, int count, DateOnly from, DateOnly to);

    [LoggerMessage(Level = LogLevel.Error, Message = "Creating the audit partitions ahead failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
