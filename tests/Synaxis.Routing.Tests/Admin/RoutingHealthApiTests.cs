using Microsoft.EntityFrameworkCore;
using System.Net;
using Synaxis.Routing.Contracts;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Tests.Admin;

[Collection(CatalogAdminCollection.Name)]
public sealed class RoutingHealthApiTests(CatalogAdminFixture fixture)
{
    private readonly CatalogApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Health_lists_every_visible_provider_healthy_until_measured()
    {
        var owner = TestCaller.NewOrganization();
        var stranger = TestCaller.NewOrganization();
        var measured = await _api.CreateProviderAsync(owner, name: "measured");
        var fresh = await _api.CreateProviderAsync(owner, name: "fresh");
        var hidden = await _api.CreateProviderAsync(stranger, name: "hidden");
        var global = await _api.CreateProviderAsync(TestCaller.PlatformAdministrator(), name: $"global-{Guid.NewGuid():N}", global: true);
        var updatedAt = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        await fixture.WithDbAsync(async db =>
        {
            db.ProviderHealth.Add(new ProviderHealthStatus
            {
                ProviderId = measured.Id, Score = 0.25, CircuitState = CircuitStates.Open, LatencyEwmaMs = 812.5, ErrorRate = 0.6, UpdatedAt = updatedAt,
            });
            return await db.SaveChangesAsync();
        });

        var health = await _api.ExpectAsync<ProviderHealthListResponse>(owner.Colleague(OrganizationRoles.Member), HttpMethod.Get,
            "/api/routing/health", null, HttpStatusCode.OK);
        var ids = health.Items.Select(h => h.ProviderId).ToList();
        Assert.Contains(global.Id, ids);
        Assert.DoesNotContain(hidden.Id, ids);
        Assert.Equal(new ProviderHealthResponse(measured.Id, "measured", 0.25, "open", 812.5, 0.6, updatedAt),
            health.Items.Single(h => h.ProviderId == measured.Id));
        Assert.Equal(new ProviderHealthResponse(fresh.Id, "fresh", 1, "closed", 0, 0, null), health.Items.Single(h => h.ProviderId == fresh.Id));
    }
}
