using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Routing.Inference;

/// <summary>Publishing of <c>UsageRecorded</c>, bound from <c>Routing:Usage</c>.</summary>
public sealed class UsageOptions
{
    public const string SectionName = "Routing:Usage";

    /// <summary>
    /// How long the first queued event waits for others before the batch goes out, so that the Redis write happens
    /// after the answer's bytes have left rather than while they travel to the client. Zero: as soon as the publisher
    /// sees the queue (still in batches).
    /// </summary>
    public TimeSpan PublishDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Events held at most; beyond it an event is published at once, as it comes (never dropped, never waited on).</summary>
    public int QueueCapacity { get; set; } = 100_000;
}

/// <summary>
/// Publishes <c>UsageRecorded</c> events off the inference path, coalesced: <see cref="Enqueue"/> only queues; the
/// first queued event starts a <see cref="UsageOptions.PublishDelay"/>, then everything queued by then is appended to
/// the usage stream at once (one pipelined burst of XADDs, not one awaited round trip each). A failed append is logged
/// and not retried (the reservation keeps the gateway's estimate). On a graceful stop the queue is published before the
/// service ends, without waiting out the delay; once stopped, or with the queue full, an event goes out on its own.
/// </summary>
public sealed partial class UsagePublisher(EventStreamPublisher publisher, IOptions<UsageOptions> options, TimeProvider time,
    ILogger<UsagePublisher> logger) : BackgroundService
{
    private readonly TimeSpan _delay = options.Value.PublishDelay;

    // Many writers (requests), one reader (the loop); the loop's continuations run on the thread pool, never inline in
    // Enqueue (AllowSynchronousContinuations stays false). TryWrite fails, rather than waits, when full or completed.
    private readonly Channel<SynaxisEvent> _queue = Channel.CreateBounded<SynaxisEvent>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly List<Task> _batch = [];

    /// <summary>Queues the event for the next batch; never blocks.</summary>
    public void Enqueue(SynaxisEvent @event)
    {
        if (!_queue.Writer.TryWrite(@event))
        {
            _ = PublishAsync(@event);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Ends once StopAsync has completed the queue and it is empty; stopping only cuts the delay short.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            if (_delay > TimeSpan.Zero && !stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(_delay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            while (_queue.Reader.TryRead(out var @event))
            {
                _batch.Add(PublishAsync(@event));
            }
            await Task.WhenAll(_batch);
            _batch.Clear();
        }
    }

    /// <summary>Takes no more events into the queue and publishes what it holds (as long as the host's shutdown allows).</summary>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    /// <summary>Ends the loop also when the host is disposed without a stop (its start failed, say).</summary>
    public override void Dispose()
    {
        _queue.Writer.TryComplete();
        base.Dispose();
    }

    private async Task PublishAsync(SynaxisEvent @event)
    {
        try
        {
            await publisher.AppendAsync(@event, EventStreamKind.Usage);
        }
        catch (Exception exception)
        {
            LogPublishFailed(logger, exception, @event.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish UsageRecorded {EventId}; its reservation keeps the gateway's estimate.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid eventId);
}
