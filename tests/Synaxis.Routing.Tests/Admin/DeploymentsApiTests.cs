using System.Net;
using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Tests.Admin;

[Collection(CatalogAdminCollection.Name)]
public sealed class DeploymentsApiTests(CatalogAdminFixture fixture)
{
    private readonly CatalogApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Create_get_list_update_and_delete_round_trip()
    {
        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        var created = await _api.CreateDeploymentAsync(owner, new
        {
            model = "llama-3.3-70b", providerId = provider.Id, upstreamModel = "llama-3.3-70b-versatile",
            inputPricePer1M = 0.590000001m, outputPricePer1M = 0.79m, contextWindow = 131_072, aliases = new[] { "miser-fast", "llama" },
        });
        Assert.Equal(owner.OrganizationId, created.OrganizationId);
        Assert.False(created.Global);
        Assert.Equal(provider.Id, created.ProviderId);
        Assert.Equal(0.590000001m, created.InputPricePer1M);
        Assert.Equal(131_072, created.ContextWindow);
        Assert.Equal(["miser-fast", "llama"], created.Aliases);

        var fetched = await _api.ExpectAsync<Contracts.DeploymentResponse>(owner, HttpMethod.Get, $"/api/routing/deployments/{created.Id}", null, HttpStatusCode.OK);
        Assert.Equal(0.590000001m, fetched.InputPricePer1M); // numeric(18,9) keeps all nine decimals
        Assert.Equal(["miser-fast", "llama"], fetched.Aliases);
        Assert.Contains((await _api.ListDeploymentsAsync(owner.Colleague(OrganizationRoles.Member))).Items, d => d.Id == created.Id);

        var other = await _api.CreateProviderAsync(owner, name: "other");
        var changed = await _api.ExpectAsync<Contracts.DeploymentResponse>(owner, HttpMethod.Patch, $"/api/routing/deployments/{created.Id}",
            new { providerId = other.Id, outputPricePer1M = 0m, aliases = Array.Empty<string>() }, HttpStatusCode.OK);
        Assert.Equal(other.Id, changed.ProviderId);
        Assert.Equal(0m, changed.OutputPricePer1M);
        Assert.Equal(0.590000001m, changed.InputPricePer1M);
        Assert.Empty(changed.Aliases);
        Assert.Equal("llama-3.3-70b", changed.Model);

        Assert.Equal(HttpStatusCode.NoContent, await _api.StatusAsync(owner, HttpMethod.Delete, $"/api/routing/deployments/{created.Id}"));
        Assert.DoesNotContain((await _api.ListDeploymentsAsync(owner)).Items, d => d.Id == created.Id);
        await _api.ProblemAsync(owner, HttpMethod.Delete, $"/api/routing/deployments/{created.Id}", null, HttpStatusCode.NotFound);

        var events = await fixture.WithDbAsync(db => db.Outbox
            .Where(m => m.OrganizationId == owner.OrganizationId && m.Type.StartsWith("Deployment"))
            .OrderBy(m => m.CreatedAt).Select(m => m.Payload).ToListAsync());
        var parsed = events.Select(SynaxisEvent.FromJson).ToList();
        Assert.Equal(["DeploymentCreated", "DeploymentUpdated", "DeploymentDeleted"], parsed.Select(e => e.Type));
        var update = parsed[1].Data;
        Assert.Equal(provider.Id, update.GetProperty("before").GetProperty("providerId").GetGuid());
        Assert.Equal(other.Id, update.GetProperty("after").GetProperty("providerId").GetGuid());
        Assert.Equal(0.79m, update.GetProperty("before").GetProperty("outputPricePer1M").GetDecimal());
    }

    [Fact]
    public async Task Organizations_cannot_see_change_or_use_each_others_deployments_and_providers()
    {
        var owner = TestCaller.NewOrganization();
        var stranger = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        var deployment = await _api.CreateDeploymentAsync(owner, provider.Id);
        var path = $"/api/routing/deployments/{deployment.Id}";

        await _api.ProblemAsync(stranger, HttpMethod.Get, path, null, HttpStatusCode.NotFound);
        await _api.ProblemAsync(stranger, HttpMethod.Patch, path, new { model = "stolen" }, HttpStatusCode.NotFound);
        await _api.ProblemAsync(stranger, HttpMethod.Delete, path, null, HttpStatusCode.NotFound);
        Assert.DoesNotContain((await _api.ListDeploymentsAsync(stranger)).Items, d => d.Id == deployment.Id);

        // Another organization's provider is answered exactly as one that does not exist.
        var body = new { model = "free-ride", providerId = provider.Id, upstreamModel = "x", inputPricePer1M = 0, outputPricePer1M = 0 };
        var theirs = await _api.ProblemAsync(stranger, HttpMethod.Post, "/api/routing/deployments", body, HttpStatusCode.BadRequest);
        var unknown = await _api.ProblemAsync(stranger, HttpMethod.Post, "/api/routing/deployments", body with { providerId = Guid.NewGuid() }, HttpStatusCode.BadRequest);
        Assert.Equal(unknown.GetProperty("errors").ToString(), theirs.GetProperty("errors").ToString());
        Assert.True(theirs.GetProperty("errors").TryGetProperty("providerId", out _));

        var own = await _api.CreateProviderAsync(stranger);
        var mine = await _api.CreateDeploymentAsync(stranger, own.Id);
        await _api.ProblemAsync(stranger, HttpMethod.Patch, $"/api/routing/deployments/{mine.Id}", new { providerId = provider.Id }, HttpStatusCode.BadRequest);

        Assert.Equal("llama-3.3-70b", (await _api.ExpectAsync<Contracts.DeploymentResponse>(owner, HttpMethod.Get, path, null, HttpStatusCode.OK)).Model);
        Assert.Equal(0, await fixture.WithDbAsync(db => db.Deployments.CountAsync(d => d.OrganizationId == stranger.OrganizationId && d.ProviderId == provider.Id)));
    }

    [Fact]
    public async Task Global_deployments_use_global_providers_and_only_platform_administrators_manage_them()
    {
        var administrator = TestCaller.PlatformAdministrator(OrganizationRoles.Owner);
        var owner = TestCaller.NewOrganization();
        var globalProvider = await _api.CreateProviderAsync(administrator, name: $"global-{Guid.NewGuid():N}", global: true);
        var ownProvider = await _api.CreateProviderAsync(owner);

        // An organization may put its own deployments on a global provider.
        var ownOnGlobal = await _api.CreateDeploymentAsync(owner, globalProvider.Id, "own-on-global");
        Assert.False(ownOnGlobal.Global);
        Assert.Equal(owner.OrganizationId, ownOnGlobal.OrganizationId);

        // Global deployments: platform administrators only, and only on a global provider.
        await _api.ProblemAsync(owner, HttpMethod.Post, "/api/routing/deployments",
            new { model = "m", providerId = globalProvider.Id, upstreamModel = "m", inputPricePer1M = 0, outputPricePer1M = 0, global = true },
            HttpStatusCode.Forbidden);
        var administratorsOwn = await _api.CreateProviderAsync(administrator, name: "administrators-own");
        await _api.ProblemAsync(administrator, HttpMethod.Post, "/api/routing/deployments",
            new { model = "m", providerId = administratorsOwn.Id, upstreamModel = "m", inputPricePer1M = 0, outputPricePer1M = 0, global = true },
            HttpStatusCode.BadRequest);
        var global = await _api.CreateDeploymentAsync(administrator, globalProvider.Id, $"global-{Guid.NewGuid():N}", global: true);
        Assert.True(global.Global);
        Assert.Null(global.OrganizationId);

        var seen = Assert.Single((await _api.ListDeploymentsAsync(owner)).Items, d => d.Id == global.Id);
        Assert.True(seen.Global);
        await _api.ProblemAsync(owner, HttpMethod.Patch, $"/api/routing/deployments/{global.Id}", new { inputPricePer1M = 0 }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(owner, HttpMethod.Delete, $"/api/routing/deployments/{global.Id}", null, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(administrator, HttpMethod.Patch, $"/api/routing/deployments/{global.Id}", new { providerId = administratorsOwn.Id }, HttpStatusCode.BadRequest);
        await _api.ProblemAsync(owner, HttpMethod.Patch, $"/api/routing/deployments/{ownOnGlobal.Id}", new { global = true }, HttpStatusCode.BadRequest);
        Assert.Equal(ownProvider.Id, (await _api.ExpectAsync<Contracts.DeploymentResponse>(owner, HttpMethod.Patch,
            $"/api/routing/deployments/{ownOnGlobal.Id}", new { providerId = ownProvider.Id }, HttpStatusCode.OK)).ProviderId);

        // Deleting the global provider takes every deployment on it along, organizations' ones included.
        var another = await _api.CreateDeploymentAsync(owner, globalProvider.Id, "another-on-global");
        Assert.Equal(HttpStatusCode.NoContent, await _api.StatusAsync(administrator, HttpMethod.Delete, $"/api/routing/providers/{globalProvider.Id}"));
        var left = (await _api.ListDeploymentsAsync(owner)).Items.Select(d => d.Id).ToList();
        Assert.DoesNotContain(global.Id, left);
        Assert.DoesNotContain(another.Id, left);
        Assert.Contains(ownOnGlobal.Id, left);
        var deleted = await fixture.WithDbAsync(db => db.Outbox
            .Where(m => m.OrganizationId == owner.OrganizationId && m.Type == "DeploymentDeleted").Select(m => m.Payload).ToListAsync());
        var payload = Assert.Single(deleted, p => p.Contains(another.Id.ToString(), StringComparison.Ordinal));
        Assert.Equal(another.Id, SynaxisEvent.FromJson(payload).Data.GetProperty("before").GetProperty("id").GetGuid());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0}""", "Model" },
        { """{"model": "two words", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0}""", "Model" },
        { $$"""{"model": "{{new string('m', 201)}}", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0}""", "Model" },
        { """{"model": "m", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0}""", "ProviderId" },
        { """{"model": "m", "providerId": "00000000-0000-0000-0000-000000000000", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0}""", "ProviderId" },
        { """{"model": "m", "providerId": "PROVIDER", "inputPricePer1M": 0, "outputPricePer1M": 0}""", "UpstreamModel" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "outputPricePer1M": 0}""", "InputPricePer1M" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": -0.000000001, "outputPricePer1M": 0}""", "InputPricePer1M" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 1000000.000000001}""", "OutputPricePer1M" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0.0000000001, "outputPricePer1M": 0}""", "InputPricePer1M" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0, "contextWindow": 0}""", "ContextWindow" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0, "aliases": ["a", "a"]}""", "Aliases" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0, "aliases": ["a b"]}""", "Aliases" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0, "aliases": [""]}""", "Aliases" },
        { $$"""{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": 0, "outputPricePer1M": 0, "aliases": [{{string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"a{i}\""))}}]}""", "Aliases" },
        { """{"model": "m", "providerId": "PROVIDER", "upstreamModel": "m", "inputPricePer1M": "cheap", "outputPricePer1M": 0}""", "inputPricePer1M" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Each_invalid_deployment_is_a_400_naming_the_field(string body, string field)
    {
        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        var problem = await _api.ProblemAsync(owner, HttpMethod.Post, "/api/routing/deployments",
            body.Replace("PROVIDER", provider.Id.ToString(), StringComparison.Ordinal), HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain((await _api.ListDeploymentsAsync(owner)).Items, d => d.OrganizationId == owner.OrganizationId);
    }

    [Fact]
    public async Task Twenty_distinct_aliases_and_the_largest_price_are_accepted()
    {
        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        var aliases = Enumerable.Range(0, 20).Select(i => $"alias-{i}").ToArray();
        var created = await _api.CreateDeploymentAsync(owner, new
        {
            model = new string('m', 200), providerId = provider.Id, upstreamModel = "org/model:tag", inputPricePer1M = 1_000_000m,
            outputPricePer1M = 999_999.999999999m, aliases,
        });
        Assert.Equal(aliases, created.Aliases);
        Assert.Equal(999_999.999999999m, (await _api.ExpectAsync<Contracts.DeploymentResponse>(owner, HttpMethod.Get,
            $"/api/routing/deployments/{created.Id}", null, HttpStatusCode.OK)).OutputPricePer1M);
    }
}
