using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Data;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Publishes the outbox of <typeparamref name="TContext"/> to the event stream, oldest first.
/// Each batch is locked with FOR UPDATE SKIP LOCKED in one transaction, so several instances of a
/// service share the work without sending a row twice; the publish script makes the stream
/// exactly-once even when a relay dies between XADD and marking its rows. Failures are logged and
/// retried with backoff, never fatal: an unpublished row simply waits.
/// </summary>
public sealed class OutboxRelay<TContext> : BackgroundService
    where TContext : DbContext
{
    private readonly IServiceScopeFactory _scopes;
    private readonly EventStreamPublisher _publisher;
    private readonly OutboxSignal<TContext> _signal;
    private readonly EventOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string? _selectBatchSql;

    internal OutboxRelay(
        IServiceScopeFactory scopes,
        EventStreamPublisher publisher,
        OutboxSignal<TContext> signal,
        IOptions<EventOptions> options,
        TimeProvider time,
        ILogger<OutboxRelay<TContext>> logger)
    {
        _scopes = scopes;
        _publisher = publisher;
        _signal = signal;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A model without the outbox is a programming error: fail the host at startup, not silently.
        _selectBatchSql = await BuildSelectBatchSqlAsync();
        var consecutiveFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            BatchResult batch;
            try
            {
                batch = await RelayBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                batch = new BatchResult(0, 0, ex);
            }

            if (batch.Error is not null)
            {
                consecutiveFailures++;
                var delay = Backoff.Delay(_options.RelayPollInterval, _options.RelayMaxBackoff, consecutiveFailures);
                _logger.LogWarning(batch.Error,
                    "Publishing the {DbContext} outbox failed ({Published} of {Locked} rows sent); attempt {Failures}, retrying in {Delay}",
                    typeof(TContext).Name, batch.Published, batch.Locked, consecutiveFailures, delay);
                await Backoff.WaitAsync(delay, _time, stoppingToken);
                continue;
            }

            consecutiveFailures = 0;
            if (batch.Published > 0)
            {
                _logger.LogDebug("Published {Count} events from the {DbContext} outbox", batch.Published, typeof(TContext).Name);
            }
            if (batch.Locked < _options.RelayBatchSize)
            {
                // Drained (or others hold the rest): wait for a local commit or the next poll.
                await WaitForWorkAsync(stoppingToken);
            }
        }
    }

    /// <summary>Locks one batch of unpublished rows, publishes them in order and marks them, in one transaction.</summary>
    private async Task<BatchResult> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        var sql = _selectBatchSql ?? throw new InvalidOperationException("The relay has not started.");

        var result = new BatchResult(0, 0, null);
        // Aspire enables retries on failure; a user transaction must run inside the strategy.
        var strategy = context.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            context.ChangeTracker.Clear();
            await using var transaction = await context.Database.BeginTransactionAsync(ct);
            var rows = await context.Set<OutboxMessage>().FromSqlRaw(sql, _options.RelayBatchSize).ToListAsync(ct);

            var published = 0;
            Exception? error = null;
            foreach (var row in rows)
            {
                row.Attempts++;
                try
                {
                    if (!await _publisher.PublishAsync(row, ct))
                    {
                        _logger.LogInformation("Event {EventId} was already in the stream (an earlier attempt died before marking it)", row.Id);
                    }
                    row.PublishedAt = _time.GetUtcNow();
                    published++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Keep order: later rows wait for this one. What was sent is still marked below.
                    error = ex;
                    break;
                }
            }

            await context.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            result = new BatchResult(published, rows.Count, error);
        }, cancellationToken);
        return result;
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _signal.WaitAsync(_options.RelayPollInterval, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task<string> BuildSelectBatchSqlAsync()
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        var outbox = StoreIdentifiers.Of<OutboxMessage>(context, nameof(OutboxMessageConfiguration));
        // SKIP LOCKED: rows another relay instance is publishing are left to it, not waited for.
        // {0} is the batch size, sent as a parameter.
        return $$"""
            SELECT * FROM {{outbox.Table}}
            WHERE {{outbox.Column(nameof(OutboxMessage.PublishedAt))}} IS NULL
            ORDER BY {{outbox.Column(nameof(OutboxMessage.CreatedAt))}}, {{outbox.Column(nameof(OutboxMessage.Id))}}
            LIMIT {0}
            FOR UPDATE SKIP LOCKED
            """;
    }

    private readonly record struct BatchResult(int Published, int Locked, Exception? Error);
}
