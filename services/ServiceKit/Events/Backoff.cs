namespace Synaxis.ServiceKit.Events;

/// <summary>Exponential backoff with jitter, so instances that failed together do not retry together.</summary>
public static class Backoff
{
    public static TimeSpan Delay(TimeSpan initial, TimeSpan max, int consecutiveFailures)
    {
        var exponent = Math.Min(consecutiveFailures - 1, 16);
        var ticks = Math.Min(initial.Ticks * (1L << exponent), max.Ticks);
        // 50–100 % of the nominal delay.
        return TimeSpan.FromTicks(ticks / 2 + Random.Shared.NextInt64(ticks / 2 + 1));
    }

    /// <summary>Waits, returning early (without throwing) when the host stops.</summary>
    public static async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
