using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Reads the event stream as one consumer of a consumer group and applies each entry with an
/// <see cref="IEventHandler"/>: the handler's changes and a ProcessedEvents row commit in one
/// transaction, then the entry is acknowledged. A crash before the ack means a redelivery, which
/// the ProcessedEvents row turns into a no-op: each event takes effect once per group.
/// Failed entries stay pending and are retried via XAUTOCLAIM (which also takes over the entries of
/// consumers that died), until <see cref="EventOptions.MaxDeliveries"/> sends them to the dead-letter stream.
/// </summary>
public sealed class EventConsumer<TContext> : BackgroundService
    where TContext : DbContext
{
    // Event types are a small fixed vocabulary; the bound only stops a stream of made-up types from growing the cache.
    private const int MaxRememberedTypes = 1024;

    private readonly Type _handlerType;
    private readonly IServiceScopeFactory _scopes;
    private readonly IConnectionMultiplexer _redis;
    private readonly EventOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisKey _stream;
    // Whether the handler takes an event type, asked once per type: most entries of a busy stream are types a
    // group ignores, and those are acknowledged in bulk without a parse, a scope or a transaction.
    private readonly Dictionary<string, bool> _handledTypes = new(StringComparer.Ordinal);
    private readonly List<RedisValue> _ignored = [];
    private string? _insertProcessedSql;

    internal EventConsumer(
        string consumerGroup,
        EventStreamKind streamKind,
        Type handlerType,
        IServiceScopeFactory scopes,
        IConnectionMultiplexer redis,
        IOptions<EventOptions> options,
        TimeProvider time,
        ILogger<EventConsumer<TContext>> logger)
    {
        ConsumerGroup = consumerGroup;
        _handlerType = handlerType;
        _scopes = scopes;
        _redis = redis;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _stream = streamKind == EventStreamKind.Usage ? _options.UsageStreamName : _options.StreamName;
        // Unique per process start: a restarted instance is a new consumer, and what the old one left
        // pending is reclaimed by XAUTOCLAIM like any dead consumer's.
        ConsumerName = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    }

    public string ConsumerGroup { get; }

    public string ConsumerName { get; }

    private RedisKey Stream => _stream;

    private string StreamName => _stream.ToString();

    private IDatabase Redis => _redis.GetDatabase();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A model without ProcessedEvents is a programming error: fail the host at startup.
        _insertProcessedSql = await BuildInsertProcessedSqlAsync();

        var groupReady = false;
        var consecutiveFailures = 0;
        var nextClaimAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!groupReady)
                {
                    await EnsureGroupAsync(stoppingToken);
                    groupReady = true;
                }
                var entries = 0;
                if (_time.GetUtcNow() >= nextClaimAt)
                {
                    entries += await ReclaimStaleAsync(stoppingToken);
                    nextClaimAt = _time.GetUtcNow() + _options.ClaimInterval;
                }
                entries += await ReadNewAsync(stoppingToken);
                consecutiveFailures = 0;
                if (entries == 0)
                {
                    await Backoff.WaitAsync(_options.ConsumerPollInterval, _time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // The stream or the group vanished (Redis flushed or restarted empty): recreate it.
                _logger.LogWarning("Consumer group {ConsumerGroup} of {Stream} is gone; recreating it", ConsumerGroup, StreamName);
                groupReady = false;
                await Backoff.WaitAsync(_options.ConsumerPollInterval, _time, stoppingToken);
            }
            catch (Exception ex)
            {
                consecutiveFailures++;
                var delay = Backoff.Delay(_options.ConsumerPollInterval, _options.ConsumerMaxBackoff, consecutiveFailures);
                _logger.LogWarning(ex, "Consumer group {ConsumerGroup} failed to read or apply events; attempt {Failures}, retrying in {Delay}",
                    ConsumerGroup, consecutiveFailures, delay);
                await Backoff.WaitAsync(delay, _time, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ForgetConsumerIfIdleAsync(cancellationToken);
    }

    private async Task EnsureGroupAsync(CancellationToken cancellationToken)
    {
        try
        {
            // MKSTREAM: consumers may start before anything was ever published.
            await Redis.StreamCreateConsumerGroupAsync(Stream, ConsumerGroup, _options.NewGroupsReadFromStart ? "0" : "$", createStream: true)
                .WaitAsync(cancellationToken);
            _logger.LogInformation("Created consumer group {ConsumerGroup} on {Stream}", ConsumerGroup, StreamName);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another instance (or an earlier run) created it.
        }
    }

    /// <summary>Reads entries never delivered to this group; each is on its first delivery.</summary>
    private async Task<int> ReadNewAsync(CancellationToken cancellationToken)
    {
        var entries = await Redis.StreamReadGroupAsync(Stream, ConsumerGroup, ConsumerName, StreamPosition.NewMessages, _options.ConsumerBatchSize)
            .WaitAsync(cancellationToken);
        foreach (var entry in entries)
        {
            if (!await IgnoreAsync(entry, cancellationToken))
            {
                await ProcessAsync(entry, deliveryCount: 1, cancellationToken);
            }
        }
        await AcknowledgeIgnoredAsync(cancellationToken);
        return entries.Length;
    }

    /// <summary>
    /// Takes over entries pending longer than <see cref="EventOptions.ClaimMinIdle"/>, whoever holds
    /// them: a dead consumer's, and this consumer's own failed ones (that is how failures are retried).
    /// </summary>
    private async Task<int> ReclaimStaleAsync(CancellationToken cancellationToken)
    {
        var claimedTotal = 0;
        RedisValue cursor = "0-0";
        // Bounded, so a large backlog of stale entries does not starve new ones.
        var limit = _options.ConsumerBatchSize * 10;
        do
        {
            var result = await Redis.StreamAutoClaimAsync(
                    Stream, ConsumerGroup, ConsumerName, (long)_options.ClaimMinIdle.TotalMilliseconds, cursor, _options.ConsumerBatchSize)
                .WaitAsync(cancellationToken);
            if (result.DeletedIds.Length > 0)
            {
                // Trimmed from the stream before this group handled them: nothing left to apply.
                _logger.LogError("{Count} pending entries of consumer group {ConsumerGroup} were trimmed from {Stream} before being handled; raise StreamMaxLength",
                    result.DeletedIds.Length, ConsumerGroup, StreamName);
                await Redis.StreamAcknowledgeAsync(Stream, ConsumerGroup, result.DeletedIds).WaitAsync(cancellationToken);
            }
            if (result.ClaimedEntries.Length > 0)
            {
                var deliveries = await DeliveryCountsAsync(result.ClaimedEntries, cancellationToken);
                foreach (var entry in result.ClaimedEntries)
                {
                    if (!await IgnoreAsync(entry, cancellationToken))
                    {
                        await ProcessAsync(entry, deliveries.GetValueOrDefault(entry.Id.ToString(), 1), cancellationToken);
                    }
                }
                await AcknowledgeIgnoredAsync(cancellationToken);
                claimedTotal += result.ClaimedEntries.Length;
            }
            cursor = result.NextStartId;
        }
        while (cursor != "0-0" && !cursor.IsNullOrEmpty && claimedTotal < limit);
        return claimedTotal;
    }

    /// <summary>XAUTOCLAIM does not report delivery counts; XPENDING over the claimed range does.</summary>
    private async Task<Dictionary<string, int>> DeliveryCountsAsync(StreamEntry[] claimed, CancellationToken cancellationToken)
    {
        var pending = await Redis.StreamPendingMessagesAsync(
                Stream, ConsumerGroup, claimed.Length, ConsumerName, claimed[0].Id, claimed[^1].Id)
            .WaitAsync(cancellationToken);
        return pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount);
    }

    private async Task ProcessAsync(StreamEntry entry, int deliveryCount, CancellationToken cancellationToken)
    {
        if (entry.IsNull)
        {
            // Redis 6.2 reports a trimmed pending entry as a null entry; nothing left to apply.
            await AcknowledgeAsync(entry.Id, cancellationToken);
            return;
        }
        if (!TryReadEvent(entry, out var @event, out var parseError))
        {
            _logger.LogError("Entry {EntryId} of {Stream} is not an event ({Error}); dead-lettering it", entry.Id, StreamName, parseError);
            await DeadLetterAsync(entry, deliveryCount, parseError, cancellationToken);
            return;
        }
        if (deliveryCount > _options.MaxDeliveries)
        {
            // Delivered that often without a handler failure to dead-letter it: its consumers kept dying.
            _logger.LogError("Event {EventId} ({EventType}) was delivered {Deliveries} times to {ConsumerGroup} without completing; dead-lettering it",
                @event.Id, @event.Type, deliveryCount, ConsumerGroup);
            await DeadLetterAsync(entry, deliveryCount, $"Delivered {deliveryCount} times without completing.", cancellationToken);
            return;
        }

        using var activity = EventTelemetry.StartHandle(@event, StreamName, ConsumerGroup, entry.Id.ToString(), entry[EventStreamFields.TraceParent]);
        try
        {
            var outcome = await HandleInTransactionAsync(@event, cancellationToken);
            activity?.SetTag("synaxis.event.outcome", outcome.ToString());
            await AcknowledgeAsync(entry.Id, cancellationToken);
            if (outcome == HandleOutcome.Duplicate)
            {
                _logger.LogDebug("Event {EventId} was already handled by {ConsumerGroup}; acknowledged the redelivery", @event.Id, ConsumerGroup);
            }
        }
        catch (EventHandlerFailedException ex)
        {
            var cause = ex.InnerException ?? ex;
            EventTelemetry.RecordError(activity, cause);
            if (deliveryCount >= _options.MaxDeliveries)
            {
                _logger.LogError(cause, "Handling event {EventId} ({EventType}) in {ConsumerGroup} failed on delivery {Deliveries} of {MaxDeliveries}; dead-lettering it",
                    @event.Id, @event.Type, ConsumerGroup, deliveryCount, _options.MaxDeliveries);
                await DeadLetterAsync(entry, deliveryCount, Describe(cause), cancellationToken);
            }
            else
            {
                // Not acknowledged: it stays pending and XAUTOCLAIM retries it after ClaimMinIdle.
                _logger.LogWarning(cause, "Handling event {EventId} ({EventType}) in {ConsumerGroup} failed on delivery {Deliveries} of {MaxDeliveries}; it will be retried",
                    @event.Id, @event.Type, ConsumerGroup, deliveryCount, _options.MaxDeliveries);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Infrastructure (database, Redis): the loop backs off; the entry stays pending.
            EventTelemetry.RecordError(activity, ex);
            throw;
        }
    }

    /// <summary>Runs the handler and records the event as processed, in one transaction; skips events already recorded.</summary>
    private async Task<HandleOutcome> HandleInTransactionAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var handler = (IEventHandler)scope.ServiceProvider.GetRequiredService(_handlerType);
        if (!handler.Handles(@event.Type))
        {
            return HandleOutcome.Ignored;
        }
        // The same scope, so the handler's injected context is this one and shares the transaction.
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        var insertProcessed = _insertProcessedSql ?? throw new InvalidOperationException("The consumer has not started.");

        var strategy = context.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            context.ChangeTracker.Clear();
            await using var transaction = await context.Database.BeginTransactionAsync(ct);
            // ON CONFLICT DO NOTHING: a duplicate is not an error. If another consumer of the group is
            // handling the same event right now, this waits for its outcome: 0 rows if it committed.
            var inserted = await context.Database.ExecuteSqlRawAsync(
                insertProcessed, [@event.Id, ConsumerGroup, _time.GetUtcNow()], ct);
            if (inserted == 0)
            {
                return HandleOutcome.Duplicate;
            }
            try
            {
                await handler.HandleAsync(@event, ct);
                // Whatever the handler changed but did not save yet.
                await context.SaveChangesAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new EventHandlerFailedException(ex);
            }
            await transaction.CommitAsync(ct);
            return HandleOutcome.Handled;
        }, cancellationToken);
    }

    /// <summary>Copies the entry to the dead-letter stream and acknowledges it, atomically (MULTI/EXEC).</summary>
    private Task DeadLetterAsync(StreamEntry entry, int deliveryCount, string error, CancellationToken cancellationToken) =>
        DeadLetters.MoveAsync(Redis, Stream, ConsumerGroup, ConsumerName, entry, deliveryCount, error, _time.GetUtcNow(),
            _options.StreamMaxLength, cancellationToken);

    /// <summary>
    /// True when the entry names (in its <c>type</c> field) an event type the handler does not take: it is queued for
    /// <see cref="AcknowledgeIgnoredAsync"/>. Entries without the field go the full way (parse, dead-letter if bad).
    /// </summary>
    private async ValueTask<bool> IgnoreAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        if (entry.IsNull || entry[EventStreamFields.Type] is not { IsNullOrEmpty: false } typeValue)
        {
            return false;
        }
        var type = typeValue.ToString();
        if (!_handledTypes.TryGetValue(type, out var handled))
        {
            await using var scope = _scopes.CreateAsyncScope();
            handled = ((IEventHandler)scope.ServiceProvider.GetRequiredService(_handlerType)).Handles(type);
            if (_handledTypes.Count < MaxRememberedTypes)
            {
                _handledTypes[type] = handled;
            }
        }
        if (handled)
        {
            return false;
        }
        cancellationToken.ThrowIfCancellationRequested();
        _ignored.Add(entry.Id);
        return true;
    }

    /// <summary>One XACK for every ignored entry of a read.</summary>
    private async Task AcknowledgeIgnoredAsync(CancellationToken cancellationToken)
    {
        if (_ignored.Count == 0)
        {
            return;
        }
        RedisValue[] ids = [.. _ignored];
        _ignored.Clear();
        await Redis.StreamAcknowledgeAsync(Stream, ConsumerGroup, ids).WaitAsync(cancellationToken);
    }

    private Task AcknowledgeAsync(RedisValue entryId, CancellationToken cancellationToken) =>
        Redis.StreamAcknowledgeAsync(Stream, ConsumerGroup, entryId).WaitAsync(cancellationToken);

    /// <summary>A cleanly stopped consumer with nothing pending leaves no trace in the group.</summary>
    private async Task ForgetConsumerIfIdleAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pending = await Redis.StreamPendingMessagesAsync(Stream, ConsumerGroup, 1, ConsumerName).WaitAsync(cancellationToken);
            if (pending.Length == 0)
            {
                await Redis.StreamDeleteConsumerAsync(Stream, ConsumerGroup, ConsumerName).WaitAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException or TimeoutException)
        {
            // Best effort: a leftover idle consumer costs nothing but a line in XINFO CONSUMERS.
            _logger.LogDebug(ex, "Could not remove consumer {Consumer} from {ConsumerGroup}", ConsumerName, ConsumerGroup);
        }
    }

    private bool TryReadEvent(StreamEntry entry, out SynaxisEvent @event, out string error)
    {
        var payload = entry[EventStreamFields.Payload];
        if (payload.IsNullOrEmpty)
        {
            (@event, error) = (null!, $"The entry has no {EventStreamFields.Payload} field.");
            return false;
        }
        try
        {
            @event = SynaxisEvent.FromJson(payload.ToString());
            error = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            (@event, error) = (null!, Describe(ex));
            return false;
        }
    }

    private async Task<string> BuildInsertProcessedSqlAsync()
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        var table = StoreIdentifiers.Of<ProcessedEvent>(context, nameof(ProcessedEventConfiguration));
        return $$"""
            INSERT INTO {{table.Table}} ({{table.Column(nameof(ProcessedEvent.EventId))}}, {{table.Column(nameof(ProcessedEvent.ConsumerGroup))}}, {{table.Column(nameof(ProcessedEvent.ProcessedAt))}})
            VALUES ({0}, {1}, {2})
            ON CONFLICT DO NOTHING
            """;
    }

    private static string Describe(Exception exception) => $"{exception.GetType().FullName}: {exception.Message}";

    private enum HandleOutcome
    {
        Handled,
        Duplicate,
        Ignored,
    }
}
