using System.Net;
using System.Threading.Channels;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Contracts;

namespace Synaxis.Routing.Tests.Admin;

[Collection(CatalogAdminCollection.Name)]
public sealed class CatalogChangeNotificationTests(CatalogAdminFixture fixture)
{
    private readonly CatalogApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Every_catalog_change_is_announced_on_the_redis_channel()
    {
        await using var redis = await fixture.ConnectRedisAsync();
        var messages = Channel.CreateUnbounded<string>();
        await redis.GetSubscriber().SubscribeAsync(CatalogChangeNotifier.Channel, (_, message) => messages.Writer.TryWrite(message.ToString()));

        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        await ExpectAnnouncementAsync(messages.Reader, "a provider created");
        var deployment = await _api.CreateDeploymentAsync(owner, provider.Id);
        await ExpectAnnouncementAsync(messages.Reader, "a deployment created");
        await _api.ExpectAsync<StrategyResponse>(owner, HttpMethod.Put, "/api/routing/strategy", new { type = "performance" }, HttpStatusCode.OK);
        await ExpectAnnouncementAsync(messages.Reader, "a strategy set");
        Assert.Equal(HttpStatusCode.NoContent, await _api.StatusAsync(owner, HttpMethod.Delete, $"/api/routing/deployments/{deployment.Id}"));
        await ExpectAnnouncementAsync(messages.Reader, "a deployment deleted");

        // Applied from an event too (after the consumer's commit).
        await fixture.PublishIdentityEventAsync("OrganizationDeleted", owner.OrganizationId, new { before = new { id = owner.OrganizationId } });
        await ExpectAnnouncementAsync(messages.Reader, "an organization's catalog deleted");
    }

    private static async Task ExpectAnnouncementAsync(ChannelReader<string> messages, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            Assert.Equal("changed", await messages.ReadAsync(timeout.Token));
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No catalog change was announced after {what}.");
        }
    }
}
