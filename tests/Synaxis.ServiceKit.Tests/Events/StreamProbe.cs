using StackExchange.Redis;
using Synaxis.ServiceKit.Events;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>Reads what actually is in Redis: stream entries by event id, pending counts, dead letters.</summary>
internal sealed class StreamProbe(IDatabase redis, string stream)
{
    public string Stream => stream;

    public string DeadLetterStream => EventStreams.DeadLetterOf(stream);

    public Task<StreamEntry[]> EntriesAsync() => redis.StreamRangeAsync(stream);

    public Task<StreamEntry[]> DeadLettersAsync() => redis.StreamRangeAsync(DeadLetterStream);

    public async Task<int> CountAsync(Guid eventId) => Count(await EntriesAsync(), eventId);

    public async Task<int> DeadLetterCountAsync(Guid eventId) => Count(await DeadLettersAsync(), eventId);

    /// <summary>How many entries carry each event id (every published id, once each, when all is well).</summary>
    public async Task<Dictionary<Guid, int>> CountsByEventAsync() =>
        (await EntriesAsync())
            .GroupBy(e => Guid.Parse(e[EventStreamFields.Id].ToString()))
            .ToDictionary(g => g.Key, g => g.Count());

    public async Task<long> PendingAsync(string group)
    {
        var groups = await redis.StreamGroupInfoAsync(stream);
        return groups.Any(g => g.Name == group) ? (await redis.StreamPendingAsync(stream, group)).PendingMessageCount : 0;
    }

    /// <summary>Everything in the stream has been delivered to the group and acknowledged.</summary>
    public async Task<bool> DrainedAsync(string group)
    {
        if (!await redis.KeyExistsAsync(stream))
        {
            return false;
        }
        var info = (await redis.StreamGroupInfoAsync(stream)).SingleOrDefault(g => g.Name == group);
        if (info.Name is null)
        {
            return false;
        }
        var last = await redis.StreamRangeAsync(stream, count: 1, messageOrder: Order.Descending);
        return last.Length > 0 && info.LastDeliveredId == last[0].Id.ToString() && info.PendingMessageCount == 0;
    }

    private static int Count(StreamEntry[] entries, Guid eventId) =>
        entries.Count(e => e[EventStreamFields.Id] == eventId.ToString());
}
