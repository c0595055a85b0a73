using Microsoft.EntityFrameworkCore;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Wakes the relay of <typeparamref name="TContext"/> right after this process commits an event, so
/// events written here leave within milliseconds instead of at the next poll. Best effort: signals
/// coalesce, and events committed by other processes are found by polling.
/// </summary>
internal sealed class OutboxSignal<TContext>
    where TContext : DbContext
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        if (_pending.CurrentCount > 0)
        {
            return;
        }
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another commit signalled in between: one wake-up covers both.
        }
    }

    /// <returns>True when signalled, false when the timeout passed.</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);
}
