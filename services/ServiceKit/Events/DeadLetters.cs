using StackExchange.Redis;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Where a consumer sets aside an entry it gave up on: a copy on the stream's dead-letter stream
/// (<see cref="EventStreams.DeadLetterOf"/>) with who gave up, after how many deliveries and why, added and acknowledged
/// in one MULTI/EXEC so the entry is never both lost and acknowledged, nor dead-lettered twice.
/// </summary>
public static class DeadLetters
{
    public const int MaxErrorLength = 2000;

    public static async Task MoveAsync(
        IDatabase redis,
        RedisKey stream,
        string consumerGroup,
        string consumer,
        StreamEntry entry,
        int deliveries,
        string error,
        DateTimeOffset now,
        long maxLength,
        CancellationToken cancellationToken)
    {
        NameValueEntry[] fields =
        [
            .. entry.Values ?? [],
            new(EventStreamFields.SourceEntryId, entry.Id),
            new(EventStreamFields.ConsumerGroup, consumerGroup),
            new(EventStreamFields.Consumer, consumer),
            new(EventStreamFields.Deliveries, deliveries),
            new(EventStreamFields.Error, error.Length > MaxErrorLength ? error[..MaxErrorLength] : error),
            new(EventStreamFields.DeadAt, now.ToString("O")),
        ];
        var transaction = redis.CreateTransaction();
        var added = transaction.StreamAddAsync(EventStreams.DeadLetterOf(stream.ToString()), fields,
            messageId: null, maxLength: maxLength, useApproximateMaxLength: true);
        var acknowledged = transaction.StreamAcknowledgeAsync(stream, consumerGroup, entry.Id);
        if (!await transaction.ExecuteAsync().WaitAsync(cancellationToken))
        {
            throw new RedisException($"Dead-lettering entry {entry.Id} was not executed.");
        }
        await Task.WhenAll(added, acknowledged);
    }
}
