namespace Synaxis.Audit.Infrastructure;

/// <summary>
/// Runs <see cref="RunOnceAsync"/> at start and then every <see cref="Interval"/> of the injected clock (so tests move
/// a fake one); a failed run is logged and retried at the next interval.
/// </summary>
public abstract class PeriodicService(TimeProvider time) : BackgroundService
{
    private int _completedRuns;

    /// <summary>The clock the runs are timed by.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>Runs finished (successfully or not) since the start.</summary>
    public int CompletedRuns => Volatile.Read(ref _completedRuns);

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected abstract void LogFailed(Exception exception);

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
                LogFailed(exception);
            }
            // The next wait starts before the run counts as done, so whoever watches CompletedRuns and then moves the
            // clock (a test's fake one) can never move it before the wait exists.
            var next = Task.Delay(Interval, Time, stoppingToken);
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
}
