using StackExchange.Redis;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>The SignalR backplane keeps to its own corner of Redis: every channel it subscribes to is prefixed.</summary>
[Collection(RealtimeCollection.Name)]
public sealed class BackplaneChannelTests(RealtimeFixture fixture)
{
    [Fact]
    public async Task An_organizations_group_is_a_channel_under_the_synaxis_signalr_prefix()
    {
        await using var listener = await HubListener.RegisterAndConnectAsync(fixture);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var channels = (await server.SubscriptionChannelsAsync(RedisChannel.Pattern("*"))).Select(channel => channel.ToString()).ToList();

        Assert.Contains($"synaxis:signalr:Synaxis.Audit.Realtime.EventsHub:group:org:{listener.OrganizationId}", channels);
        Assert.All(channels.Where(channel => channel.Contains("EventsHub", StringComparison.Ordinal)),
            channel => Assert.StartsWith("synaxis:signalr:", channel, StringComparison.Ordinal));
    }
}
