using System.Net;
using StackExchange.Redis;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Identity.Tests;

/// <summary>Identity's changes reach the <c>synaxis:events</c> stream, each exactly once, with actor and before/after.</summary>
[Collection(IdentityServiceCollection.Name)]
public sealed class IdentityEventsTests(IdentityServiceFixture fixture)
{
    private readonly IdentityApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Registering_publishes_the_user_organization_group_and_membership_once_each()
    {
        var owner = await _api.RegisterAsync();

        var events = await WaitForEventsAsync(owner.OrganizationId, expected: 4);

        Assert.Equal(
            ["GroupCreated", "MemberAdded", "OrganizationCreated", "UserRegistered"],
            events.Select(e => e.Type).Order());
        Assert.All(events, e => Assert.Equal(owner.UserId, e.ActorId));
        Assert.All(events, e => Assert.Equal("user", e.ActorType));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_change_carries_its_before_and_after_values_and_the_request_id()
    {
        var owner = await _api.RegisterAsync();
        using var put = await _api.SendAsync(owner, HttpMethod.Put, "/api/identity/organizations/current/settings",
            new { auditRetentionDays = 7, routingStrategy = "balanced", allowPaidFallback = true });
        await IdentityApiClient.EnsureAsync(put, HttpStatusCode.OK);

        var events = await WaitForEventsAsync(owner.OrganizationId, expected: 5);

        var changed = Assert.Single(events, e => e.Type == "SettingsChanged");
        Assert.Equal(90, changed.Data.GetProperty("before").GetProperty("auditRetentionDays").GetInt32());
        Assert.Equal(7, changed.Data.GetProperty("after").GetProperty("auditRetentionDays").GetInt32());
        Assert.Equal("balanced", changed.Data.GetProperty("after").GetProperty("routingStrategy").GetString());
        Assert.False(string.IsNullOrEmpty(changed.RequestId));
        Assert.Equal(owner.UserId, changed.ActorId);
    }

    [Fact]
    public async Task Events_stay_exactly_once_while_two_instances_relay_and_one_restarts()
    {
        var owner = await _api.RegisterAsync();
        var second = fixture.CreateService();
        var secondApi = new IdentityApiClient(second.CreateRealClient());
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var api = i % 2 == 0 ? _api : secondApi;
                using var created = await api.SendAsync(owner, HttpMethod.Post, "/api/identity/groups", new { name = $"Group {i}", slug = $"g{i}" });
                await IdentityApiClient.EnsureAsync(created, HttpStatusCode.Created);
                if (i == 4)
                {
                    await second.DisposeAsync(); // the second relay stops mid-run
                    second = fixture.CreateService();
                    secondApi = new IdentityApiClient(second.CreateRealClient());
                }
            }
        }
        finally
        {
            await second.DisposeAsync();
        }

        var events = await WaitForEventsAsync(owner.OrganizationId, expected: 14);
        Assert.Equal(10, events.Count(e => e.Type == "GroupCreated" && e.Data.GetProperty("after").GetProperty("slug").GetString()!.StartsWith('g')));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    private async Task<List<SynaxisEvent>> WaitForEventsAsync(Guid organizationId, int expected)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<SynaxisEvent> events;
        do
        {
            var entries = await redis.GetDatabase().StreamRangeAsync(EventStreams.Events);
            events = entries
                .Where(e => e[EventStreamFields.Organization] == organizationId.ToString())
                .Select(e => SynaxisEvent.FromJson(e[EventStreamFields.Payload]!))
                .ToList();
            if (events.Count >= expected)
            {
                // Give a duplicate, if the relay were to make one, the time to show up.
                await Task.Delay(500);
                entries = await redis.GetDatabase().StreamRangeAsync(EventStreams.Events);
                return entries
                    .Where(e => e[EventStreamFields.Organization] == organizationId.ToString())
                    .Select(e => SynaxisEvent.FromJson(e[EventStreamFields.Payload]!))
                    .ToList();
            }
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new Xunit.Sdk.XunitException($"Only {events.Count} of {expected} events arrived: {string.Join(", ", events.Select(e => e.Type))}");
    }
}
