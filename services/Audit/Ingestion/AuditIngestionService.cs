using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using Synaxis.Audit.Realtime;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Ingestion;

/// <summary>
/// Reads <c>synaxis:events</c> (every service's admin events) and <c>synaxis:events:usage</c> (Routing's
/// <c>UsageRecorded</c>) as the consumer group <c>audit</c>, both streams in one XREADGROUP, and writes each read as
/// one batch (<see cref="AuditBatchWriter"/>): commit, then XACK, then the hub broadcast. A crash before the XACK
/// leaves the entries pending; XAUTOCLAIM hands them to a live consumer after <see cref="EventOptions.ClaimMinIdle"/>
/// and the writer skips what the first attempt committed. Entries that are not events, or events Audit cannot store
/// (PostgreSQL refuses them: a data error, class 22 or 23), are copied to the stream's dead-letter stream with the
/// reason and acknowledged. Nothing else is ever set aside: while PostgreSQL is down, entries stay pending.
/// </summary>
public sealed partial class AuditIngestionService : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IConnectionMultiplexer _redis;
    private readonly IAuditBroadcaster _broadcaster;
    private readonly EventOptions _events;
    private readonly IngestionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditIngestionService> _logger;
    private readonly RedisKey[] _streams;

    public AuditIngestionService(
        IServiceScopeFactory scopes,
        IConnectionMultiplexer redis,
        IAuditBroadcaster broadcaster,
        IOptions<EventOptions> events,
        IOptions<IngestionOptions> options,
        TimeProvider time,
        ILogger<AuditIngestionService> logger)
    {
        _scopes = scopes;
        _redis = redis;
        _broadcaster = broadcaster;
        _events = events.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _streams = [_events.StreamName, _events.UsageStreamName];
        // Unique per process start: what a dead instance left pending is reclaimed like any dead consumer's.
        ConsumerName = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    }

    public string ConsumerName { get; }

    private IDatabase Redis => _redis.GetDatabase();

    // Polling and backoff wait on real time, like reclaiming: the injected clock (a test's FakeTimeProvider) drives only
    // what the audit trail records.

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var groupsReady = false;
        var failures = 0;
        var nextClaimAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!groupsReady)
                {
                    await EnsureGroupsAsync(stoppingToken);
                    groupsReady = true;
                }
                var entries = new List<(RedisKey Stream, StreamEntry Entry, int Deliveries)>();
                // Real time, not the injected clock: reclaiming follows Redis' idle times, whatever a test's clock says.
                if (DateTimeOffset.UtcNow >= nextClaimAt)
                {
                    await ReclaimStaleAsync(entries, stoppingToken);
                    nextClaimAt = DateTimeOffset.UtcNow + _events.ClaimInterval;
                }
                await ReadNewAsync(entries, stoppingToken);
                if (entries.Count > 0)
                {
                    await ProcessAsync(entries, stoppingToken);
                }
                failures = 0;
                if (entries.Count == 0)
                {
                    await Backoff.WaitAsync(_events.ConsumerPollInterval, TimeProvider.System, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                LogGroupGone(_logger, IngestionOptions.ConsumerGroup);
                groupsReady = false;
                await Backoff.WaitAsync(_events.ConsumerPollInterval, TimeProvider.System, stoppingToken);
            }
            catch (Exception exception)
            {
                failures++;
                var delay = Backoff.Delay(_events.ConsumerPollInterval, _events.ConsumerMaxBackoff, failures);
                LogBatchFailed(_logger, exception, failures, delay);
                await Backoff.WaitAsync(delay, TimeProvider.System, stoppingToken);
            }
        }
    }

    private async Task EnsureGroupsAsync(CancellationToken cancellationToken)
    {
        foreach (var stream in _streams)
        {
            try
            {
                await Redis.StreamCreateConsumerGroupAsync(stream, IngestionOptions.ConsumerGroup,
                    _events.NewGroupsReadFromStart ? "0" : "$", createStream: true).WaitAsync(cancellationToken);
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another instance (or an earlier run) created it.
            }
        }
    }

    private async Task ReadNewAsync(List<(RedisKey, StreamEntry, int)> entries, CancellationToken cancellationToken)
    {
        var positions = _streams.Select(s => new StreamPosition(s, StreamPosition.NewMessages)).ToArray();
        var streams = await Redis.StreamReadGroupAsync(positions, IngestionOptions.ConsumerGroup, ConsumerName, _options.BatchSize)
            .WaitAsync(cancellationToken);
        foreach (var stream in streams)
        {
            entries.AddRange(stream.Entries.Select(e => (stream.Key, e, 1)));
        }
    }

    /// <summary>Takes over entries pending longer than ClaimMinIdle: a dead consumer's, and this one's own failed batches.</summary>
    private async Task ReclaimStaleAsync(List<(RedisKey, StreamEntry, int)> entries, CancellationToken cancellationToken)
    {
        foreach (var stream in _streams)
        {
            var result = await Redis.StreamAutoClaimAsync(stream, IngestionOptions.ConsumerGroup, ConsumerName,
                (long)_events.ClaimMinIdle.TotalMilliseconds, "0-0", _options.BatchSize).WaitAsync(cancellationToken);
            if (result.DeletedIds.Length > 0)
            {
                LogTrimmed(_logger, result.DeletedIds.Length, stream.ToString());
                await Redis.StreamAcknowledgeAsync(stream, IngestionOptions.ConsumerGroup, result.DeletedIds).WaitAsync(cancellationToken);
            }
            var claimed = result.ClaimedEntries.Where(e => !e.IsNull).ToArray();
            if (claimed.Length == 0)
            {
                continue;
            }
            var pending = await Redis.StreamPendingMessagesAsync(stream, IngestionOptions.ConsumerGroup, claimed.Length, ConsumerName,
                claimed[0].Id, claimed[^1].Id).WaitAsync(cancellationToken);
            var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount);
            entries.AddRange(claimed.Select(e => (stream, e, deliveries.GetValueOrDefault(e.Id.ToString(), 1))));
        }
    }

    private async Task ProcessAsync(List<(RedisKey Stream, StreamEntry Entry, int Deliveries)> entries, CancellationToken cancellationToken)
    {
        var batch = new List<(RedisKey Stream, StreamEntry Entry, MappedEvent Event)>(entries.Count);
        foreach (var (stream, entry, deliveries) in entries)
        {
            // No dead-lettering for being delivered often: that is what a PostgreSQL outage looks like, and an audit
            // event must wait for the database rather than be set aside. Events the database refuses are handled below.
            if (TryRead(entry, out var mapped, out var error))
            {
                batch.Add((stream, entry, mapped));
            }
            else
            {
                await DeadLetterAsync(stream, entry, deliveries, error, cancellationToken);
            }
        }
        if (batch.Count == 0)
        {
            return;
        }

        WrittenBatch written;
        try
        {
            written = await WriteAsync([.. batch.Select(b => b.Event)], cancellationToken);
        }
        catch (PostgresException exception) when (IsDataError(exception))
        {
            // One event the database refuses must not hold back the others: write them one by one.
            LogBatchRefused(_logger, exception, batch.Count);
            written = await WriteOneByOneAsync(batch, cancellationToken);
        }
        foreach (var group in batch.GroupBy(b => b.Stream))
        {
            await Redis.StreamAcknowledgeAsync(group.Key, IngestionOptions.ConsumerGroup, [.. group.Select(b => b.Entry.Id)])
                .WaitAsync(cancellationToken);
        }
        await BroadcastAsync(written, batch.Select(b => b.Event.Event), cancellationToken);
    }

    private async Task<WrittenBatch> WriteOneByOneAsync(List<(RedisKey Stream, StreamEntry Entry, MappedEvent Event)> batch, CancellationToken cancellationToken)
    {
        var logs = new List<Model.AuditLog>();
        var usage = new List<Model.UsageRecord>();
        foreach (var (stream, entry, mapped) in batch)
        {
            try
            {
                var written = await WriteAsync([mapped], cancellationToken);
                logs.AddRange(written.Logs);
                usage.AddRange(written.Usage);
            }
            catch (PostgresException exception) when (IsDataError(exception))
            {
                await DeadLetterAsync(stream, entry, 1, $"PostgreSQL refused the event: {exception.SqlState} {exception.MessageText}", cancellationToken);
            }
        }
        return new WrittenBatch(logs, usage);
    }

    private async Task<WrittenBatch> WriteAsync(IReadOnlyList<MappedEvent> events, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditBatchWriter>().WriteAsync(events, cancellationToken);
    }

    /// <summary>After the commit and the XACK: a broadcast that fails loses a live notification, never a record.</summary>
    private async Task BroadcastAsync(WrittenBatch written, IEnumerable<SynaxisEvent> events, CancellationToken cancellationToken)
    {
        if (written.Logs.Count == 0 && written.Usage.Count == 0)
        {
            return;
        }
        try
        {
            var byId = new Dictionary<Guid, SynaxisEvent>();
            foreach (var @event in events)
            {
                byId.TryAdd(@event.Id, @event);
            }
            await _broadcaster.PublishAsync(AuditBroadcasts.Of(written, byId), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogBroadcastFailed(_logger, exception, written.Logs.Count + written.Usage.Count);
        }
    }

    private static bool TryRead(StreamEntry entry, out MappedEvent mapped, out string error)
    {
        mapped = null!;
        var payload = entry[EventStreamFields.Payload];
        if (payload.IsNullOrEmpty)
        {
            error = $"The entry has no {EventStreamFields.Payload} field.";
            return false;
        }
        try
        {
            mapped = EventMapper.Map(SynaxisEvent.FromJson(payload.ToString()));
            error = "";
            return true;
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or UnstorableEventException or InvalidOperationException)
        {
            error = $"{exception.GetType().FullName}: {exception.Message}";
            return false;
        }
    }

    /// <summary>Data and integrity errors (classes 22 and 23) are about the event, not the database's health: retrying cannot help.</summary>
    private static bool IsDataError(PostgresException exception) =>
        exception.SqlState.StartsWith("22", StringComparison.Ordinal) || exception.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <summary>Sets the entry aside on the stream's dead-letter stream, as ServiceKit's consumer does.</summary>
    private async Task DeadLetterAsync(RedisKey stream, StreamEntry entry, int deliveries, string error, CancellationToken cancellationToken)
    {
        LogDeadLettered(_logger, entry.Id.ToString(), stream.ToString(), error);
        await DeadLetters.MoveAsync(Redis, stream, IngestionOptions.ConsumerGroup, ConsumerName, entry, deliveries, error,
            _time.GetUtcNow(), _events.StreamMaxLength, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer group {ConsumerGroup} is gone; recreating it")]
    private static partial void LogGroupGone(ILogger logger, string consumerGroup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit ingestion failed (attempt {Failures}); its entries stay pending, retrying in {Delay}")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int failures, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a batch of {Count} events; writing them one by one")]
    private static partial void LogBatchRefused(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entry {EntryId} of {Stream} cannot be recorded ({Error}); dead-lettering it")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string stream, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} pending entries of {Stream} were trimmed before Audit recorded them; raise StreamMaxLength")]
    private static partial void LogTrimmed(ILogger logger, int count, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcasting {Count} recorded rows to the hub failed; they are stored, only the live notice is lost")]
    private static partial void LogBroadcastFailed(ILogger logger, Exception exception, int count);
}
