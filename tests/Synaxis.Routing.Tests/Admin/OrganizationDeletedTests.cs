using System.Net;
using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Contracts;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Routing.Tests.Admin;

[Collection(CatalogAdminCollection.Name)]
public sealed class OrganizationDeletedTests(CatalogAdminFixture fixture)
{
    private readonly CatalogApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task OrganizationDeleted_soft_deletes_the_organizations_catalog_and_nothing_else()
    {
        var owner = TestCaller.NewOrganization();
        var bystander = TestCaller.NewOrganization();
        var administrator = TestCaller.PlatformAdministrator();
        var global = await _api.CreateProviderAsync(administrator, name: $"global-{Guid.NewGuid():N}", global: true);
        var provider = await _api.CreateProviderAsync(owner);
        var onOwn = await _api.CreateDeploymentAsync(owner, provider.Id, "on-own");
        var onGlobal = await _api.CreateDeploymentAsync(owner, global.Id, "on-global");
        await _api.ExpectAsync<StrategyResponse>(owner, HttpMethod.Put, "/api/routing/strategy", new { type = "cost" }, HttpStatusCode.OK);
        var theirs = await _api.CreateProviderAsync(bystander);
        var theirDeployment = await _api.CreateDeploymentAsync(bystander, global.Id, "theirs");
        await _api.ExpectAsync<StrategyResponse>(bystander, HttpMethod.Put, "/api/routing/strategy", new { type = "performance" }, HttpStatusCode.OK);

        var eventId = await fixture.PublishIdentityEventAsync("OrganizationDeleted", owner.OrganizationId,
            new { before = new { id = owner.OrganizationId, name = "Acme" }, after = (object?)null });

        var (providers, deployments, strategies) = await fixture.WithDbAsync(async db => (
            await db.Providers.IgnoreQueryFilters().AsNoTracking().Where(p => p.OrganizationId == owner.OrganizationId).ToListAsync(),
            await db.Deployments.IgnoreQueryFilters().AsNoTracking().Where(d => d.OrganizationId == owner.OrganizationId).ToListAsync(),
            await db.RoutingStrategies.IgnoreQueryFilters().AsNoTracking().Where(s => s.OrganizationId == owner.OrganizationId).ToListAsync()));
        Assert.Equal(provider.Id, Assert.Single(providers).Id);
        Assert.Equal(new[] { onOwn.Id, onGlobal.Id }.Order(), deployments.Select(d => d.Id).Order());
        Assert.Single(strategies);
        Assert.All(providers, p => Assert.NotNull(p.DeletedAt));
        Assert.All(deployments, d => Assert.NotNull(d.DeletedAt));
        Assert.All(strategies, s => Assert.NotNull(s.DeletedAt));

        // Everyone else's catalog, and the global one, stay.
        Assert.Contains((await _api.ListProvidersAsync(bystander)).Items, p => p.Id == theirs.Id);
        Assert.Contains((await _api.ListProvidersAsync(bystander)).Items, p => p.Id == global.Id);
        Assert.Contains((await _api.ListDeploymentsAsync(bystander)).Items, d => d.Id == theirDeployment.Id);
        Assert.Equal("performance", (await _api.ExpectAsync<StrategyResponse>(bystander, HttpMethod.Get, "/api/routing/strategy", null, HttpStatusCode.OK)).Type);

        // One event per removed row, tied to the deletion's actor and request.
        var events = (await fixture.WithDbAsync(db => db.Outbox
            .Where(m => m.OrganizationId == owner.OrganizationId && (m.Type == "ProviderDeleted" || m.Type == "DeploymentDeleted" || m.Type == "RoutingStrategyChanged"))
            .Select(m => m.Payload).ToListAsync())).Select(SynaxisEvent.FromJson).ToList();
        var cause = SynaxisEvent.FromJson(await fixture.WithDbAsync(db => db.Outbox.Where(m => m.Id == eventId).Select(m => m.Payload).SingleAsync()));
        var cascade = events.Where(e => e.ActorId == cause.ActorId).ToList();
        Assert.Equal(1, cascade.Count(e => e.Type == "ProviderDeleted"));
        Assert.Equal(2, cascade.Count(e => e.Type == "DeploymentDeleted"));
        var strategy = Assert.Single(cascade, e => e.Type == "RoutingStrategyChanged");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, strategy.Data.GetProperty("after").ValueKind);

        // A redelivery finds nothing left to delete.
        await fixture.PublishIdentityEventAsync("OrganizationDeleted", owner.OrganizationId, new { before = new { id = owner.OrganizationId } });
        var removals = (await fixture.WithDbAsync(db => db.Outbox
            .Where(m => m.OrganizationId == owner.OrganizationId && (m.Type == "ProviderDeleted" || m.Type == "DeploymentDeleted" || m.Type == "RoutingStrategyChanged"))
            .Select(m => m.Payload).ToListAsync())).Select(SynaxisEvent.FromJson).Where(e => e.Data.GetProperty("after").ValueKind == System.Text.Json.JsonValueKind.Null);
        Assert.Equal(4, removals.Count());
    }
}
