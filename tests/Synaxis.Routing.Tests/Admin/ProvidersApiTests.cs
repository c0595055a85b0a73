using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Routing.Security;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Tests.Admin;

[Collection(CatalogAdminCollection.Name)]
public sealed class ProvidersApiTests(CatalogAdminFixture fixture)
{
    private readonly CatalogApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Create_get_list_update_and_delete_round_trip()
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateProviderAsync(owner, new
        {
            name = "groq", kind = "openai-compatible", baseUrl = "https://api.groq.com/openai/v1/", isFree = true,
            freeTier = new { requestsPerMinute = 30, requestsPerDay = 14_400, tokensPerMinute = 6_000 }, enabled = true,
        });
        Assert.Equal(owner.OrganizationId, created.OrganizationId);
        Assert.False(created.Global);
        Assert.Equal("groq", created.Name);
        Assert.Equal("openai-compatible", created.Kind);
        Assert.True(created.IsFree);
        Assert.Equal(new(30, 14_400, 6_000), created.FreeTier);
        Assert.False(created.HasApiKey);
        Assert.Null(created.ApiVersion);

        var fetched = await _api.GetProviderAsync(owner, created.Id);
        Assert.Equal(created.Name, fetched.Name);
        Assert.Equal(created.FreeTier, fetched.FreeTier);
        Assert.Contains((await _api.ListProvidersAsync(owner)).Items, p => p.Id == created.Id);
        // A colleague of any role reads it.
        Assert.Equal(created.Id, (await _api.GetProviderAsync(owner.Colleague(OrganizationRoles.Member), created.Id)).Id);

        var renamed = await _api.UpdateProviderAsync(owner, created.Id, new { name = "groq-eu", enabled = false });
        Assert.Equal("groq-eu", renamed.Name);
        Assert.False(renamed.Enabled);
        Assert.Equal(created.FreeTier, renamed.FreeTier); // untouched fields stay

        // Switching to Azure needs an api-version; turning isFree off clears the free tier.
        var azure = await _api.UpdateProviderAsync(owner.Colleague(OrganizationRoles.Admin), created.Id,
            new { kind = "azure-openai", apiVersion = "2024-10-21", baseUrl = "https://acme.openai.azure.com/", isFree = false });
        Assert.Equal("azure-openai", azure.Kind);
        Assert.Equal("2024-10-21", azure.ApiVersion);
        Assert.False(azure.IsFree);
        Assert.Null(azure.FreeTier);
        var back = await _api.UpdateProviderAsync(owner, created.Id, new { kind = "anthropic", baseUrl = "https://api.anthropic.com/v1/" });
        Assert.Null(back.ApiVersion);

        Assert.Equal(HttpStatusCode.NoContent, await _api.StatusAsync(owner, HttpMethod.Delete, $"/api/routing/providers/{created.Id}"));
        await _api.ProblemAsync(owner, HttpMethod.Get, $"/api/routing/providers/{created.Id}", null, HttpStatusCode.NotFound);
        Assert.DoesNotContain((await _api.ListProvidersAsync(owner)).Items, p => p.Id == created.Id);
        await _api.ProblemAsync(owner, HttpMethod.Delete, $"/api/routing/providers/{created.Id}", null, HttpStatusCode.NotFound);

        var types = await fixture.WithDbAsync(db => db.Outbox.Where(m => m.OrganizationId == owner.OrganizationId)
            .OrderBy(m => m.CreatedAt).Select(m => m.Type).ToListAsync());
        Assert.Equal(["ProviderCreated", "ProviderUpdated", "ProviderUpdated", "ProviderUpdated", "ProviderDeleted"], types);
    }

    [Fact]
    public async Task The_api_key_is_write_only_and_stored_encrypted()
    {
        var owner = TestCaller.NewOrganization();
        const string secret = "gsk_live_0123456789abcdefghijklmnopqrstuvwxyz";
        var created = await _api.CreateProviderAsync(owner, apiKey: secret);
        Assert.True(created.HasApiKey);

        using (var get = await _api.SendAsync(owner, HttpMethod.Get, $"/api/routing/providers/{created.Id}"))
        {
            var text = await get.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain("apiKey\"", text);
            Assert.Contains("\"hasApiKey\":true", text);
        }
        using (var list = await _api.SendAsync(owner, HttpMethod.Get, "/api/routing/providers"))
        {
            Assert.DoesNotContain(secret, await list.Content.ReadAsStringAsync());
        }

        var stored = await fixture.WithDbAsync(db => db.Providers.AsNoTracking().SingleAsync(p => p.Id == created.Id));
        Assert.NotNull(stored.ProtectedApiKey);
        Assert.DoesNotContain(secret, stored.ProtectedApiKey);
        var protector = fixture.Service.Services.GetRequiredService<ProviderKeyProtector>();
        Assert.Equal(secret, protector.Unprotect(stored.ProtectedApiKey));

        // Sending the same key again is no change; a new one is (the event says so, without the key).
        await _api.UpdateProviderAsync(owner, created.Id, new { apiKey = secret });
        const string rotated = "gsk_live_rotated_9876543210";
        using (var patch = await _api.SendAsync(owner, HttpMethod.Patch, $"/api/routing/providers/{created.Id}", new { apiKey = rotated }))
        {
            await CatalogApiClient.EnsureAsync(patch, HttpStatusCode.OK);
            Assert.DoesNotContain(rotated, await patch.Content.ReadAsStringAsync());
        }
        stored = await fixture.WithDbAsync(db => db.Providers.AsNoTracking().SingleAsync(p => p.Id == created.Id));
        Assert.Equal(rotated, protector.Unprotect(stored.ProtectedApiKey!));

        // An empty key removes it.
        Assert.False((await _api.UpdateProviderAsync(owner, created.Id, new { apiKey = "" })).HasApiKey);
        Assert.Null((await fixture.WithDbAsync(db => db.Providers.AsNoTracking().SingleAsync(p => p.Id == created.Id))).ProtectedApiKey);

        var events = await fixture.WithDbAsync(db => db.Outbox.Where(m => m.OrganizationId == owner.OrganizationId)
            .OrderBy(m => m.CreatedAt).ToListAsync());
        Assert.Equal(["ProviderCreated", "ProviderUpdated", "ProviderUpdated"], events.Select(e => e.Type));
        Assert.All(events, e =>
        {
            Assert.DoesNotContain(secret, e.Payload);
            Assert.DoesNotContain(rotated, e.Payload);
            Assert.DoesNotContain(stored.ProtectedApiKey ?? "no key", e.Payload);
        });
        var rotation = SynaxisEvent.FromJson(events[1].Payload).Data;
        Assert.True(rotation.GetProperty("apiKeyChanged").GetBoolean());
        Assert.True(rotation.GetProperty("before").GetProperty("hasApiKey").GetBoolean());
        Assert.Equal(owner.UserId, SynaxisEvent.FromJson(events[1].Payload).ActorId);
    }

    [Fact]
    public async Task A_member_reads_but_cannot_change_the_catalog()
    {
        var owner = TestCaller.NewOrganization();
        var member = owner.Colleague(OrganizationRoles.Member);
        var provider = await _api.CreateProviderAsync(owner);
        var deployment = await _api.CreateDeploymentAsync(owner, provider.Id);

        Assert.Contains((await _api.ListProvidersAsync(member)).Items, p => p.Id == provider.Id);
        Assert.Contains((await _api.ListDeploymentsAsync(member)).Items, d => d.Id == deployment.Id);

        await _api.ProblemAsync(member, HttpMethod.Post, "/api/routing/providers",
            new { name = "mine", kind = "openai-compatible", baseUrl = "https://example.com/v1/" }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(member, HttpMethod.Patch, $"/api/routing/providers/{provider.Id}", new { name = "x" }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(member, HttpMethod.Delete, $"/api/routing/providers/{provider.Id}", null, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(member, HttpMethod.Post, "/api/routing/deployments",
            new { model = "m", providerId = provider.Id, upstreamModel = "m", inputPricePer1M = 0, outputPricePer1M = 0 }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(member, HttpMethod.Patch, $"/api/routing/deployments/{deployment.Id}", new { model = "x" }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(member, HttpMethod.Delete, $"/api/routing/deployments/{deployment.Id}", null, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(member, HttpMethod.Put, "/api/routing/strategy", new { type = "cost" }, HttpStatusCode.Forbidden);

        Assert.Equal("groq", (await _api.GetProviderAsync(owner, provider.Id)).Name);
    }

    [Fact]
    public async Task Without_a_signed_identity_the_api_answers_401()
    {
        using var response = await _api.SendAsync(null, HttpMethod.Get, "/api/routing/providers");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Another_organizations_provider_answers_404()
    {
        var owner = TestCaller.NewOrganization();
        var stranger = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        var path = $"/api/routing/providers/{provider.Id}";

        await _api.ProblemAsync(stranger, HttpMethod.Get, path, null, HttpStatusCode.NotFound);
        await _api.ProblemAsync(stranger, HttpMethod.Patch, path, new { name = "mine now" }, HttpStatusCode.NotFound);
        await _api.ProblemAsync(stranger, HttpMethod.Delete, path, null, HttpStatusCode.NotFound);
        Assert.DoesNotContain((await _api.ListProvidersAsync(stranger)).Items, p => p.Id == provider.Id);
        // Exactly like an id that never existed, or one that is not a Guid.
        await _api.ProblemAsync(stranger, HttpMethod.Get, $"/api/routing/providers/{Guid.NewGuid()}", null, HttpStatusCode.NotFound);
        await _api.ProblemAsync(stranger, HttpMethod.Get, "/api/routing/providers/not-an-id", null, HttpStatusCode.NotFound);

        Assert.Equal("groq", (await _api.GetProviderAsync(owner, provider.Id)).Name);
    }

    [Fact]
    public async Task Global_providers_are_seen_by_everyone_and_changed_only_by_platform_administrators()
    {
        var administrator = TestCaller.PlatformAdministrator();
        var owner = TestCaller.NewOrganization();
        var member = TestCaller.NewOrganization(OrganizationRoles.Member);

        var global = await _api.CreateProviderAsync(administrator, name: $"global-{Guid.NewGuid():N}", global: true);
        Assert.True(global.Global);
        Assert.Null(global.OrganizationId);

        foreach (var caller in new[] { owner, member })
        {
            var seen = Assert.Single((await _api.ListProvidersAsync(caller)).Items, p => p.Id == global.Id);
            Assert.True(seen.Global);
            Assert.Null(seen.OrganizationId);
            Assert.Equal(global.Id, (await _api.GetProviderAsync(caller, global.Id)).Id);
        }
        using (var raw = await _api.SendAsync(owner, HttpMethod.Get, $"/api/routing/providers/{global.Id}"))
        {
            var text = await raw.Content.ReadAsStringAsync();
            Assert.Contains("\"global\":true", text);
            Assert.Contains("\"organizationId\":null", text);
        }

        // An organization's Owner may not create, change or delete global providers.
        await _api.ProblemAsync(owner, HttpMethod.Post, "/api/routing/providers",
            new { name = "sneaky", kind = "openai-compatible", baseUrl = "https://example.com/v1/", global = true }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(owner, HttpMethod.Patch, $"/api/routing/providers/{global.Id}", new { name = "mine" }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(owner, HttpMethod.Patch, $"/api/routing/providers/{global.Id}", new { name = "mine", global = true }, HttpStatusCode.Forbidden);
        await _api.ProblemAsync(owner, HttpMethod.Delete, $"/api/routing/providers/{global.Id}", null, HttpStatusCode.Forbidden);

        // A provider never changes scope.
        await _api.ProblemAsync(administrator, HttpMethod.Patch, $"/api/routing/providers/{global.Id}", new { global = false }, HttpStatusCode.BadRequest);
        var own = await _api.CreateProviderAsync(owner);
        await _api.ProblemAsync(owner, HttpMethod.Patch, $"/api/routing/providers/{own.Id}", new { global = true }, HttpStatusCode.BadRequest);

        // The platform administrator does, whatever their role in the organization they act in.
        var renamed = await _api.UpdateProviderAsync(administrator, global.Id, new { name = global.Name + "-2", global = true });
        Assert.Equal(global.Name + "-2", renamed.Name);
        Assert.True(renamed.Global);
        var events = await fixture.WithDbAsync(db => db.Outbox
            .Where(m => m.OrganizationId == null && (m.Type == "ProviderCreated" || m.Type == "ProviderUpdated"))
            .Select(m => m.Payload).ToListAsync());
        Assert.Equal(2, events.Select(SynaxisEvent.FromJson).Count(e => e.Data.ToString().Contains(global.Id.ToString(), StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.NoContent, await _api.StatusAsync(administrator, HttpMethod.Delete, $"/api/routing/providers/{global.Id}"));
        Assert.DoesNotContain((await _api.ListProvidersAsync(owner)).Items, p => p.Id == global.Id);
    }

    [Fact]
    public async Task Deleting_a_provider_soft_deletes_its_deployments()
    {
        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        var first = await _api.CreateDeploymentAsync(owner, provider.Id, "llama-a");
        var second = await _api.CreateDeploymentAsync(owner, provider.Id, "llama-b");
        var other = await _api.CreateProviderAsync(owner, name: "other");
        var kept = await _api.CreateDeploymentAsync(owner, other.Id, "llama-c");

        Assert.Equal(HttpStatusCode.NoContent, await _api.StatusAsync(owner, HttpMethod.Delete, $"/api/routing/providers/{provider.Id}"));

        Assert.Equal([kept.Id], (await _api.ListDeploymentsAsync(owner)).Items.Select(d => d.Id));
        await _api.ProblemAsync(owner, HttpMethod.Get, $"/api/routing/deployments/{first.Id}", null, HttpStatusCode.NotFound);
        var rows = await fixture.WithDbAsync(db => db.Deployments.IgnoreQueryFilters().AsNoTracking()
            .Where(d => d.ProviderId == provider.Id).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.All(rows, d =>
        {
            Assert.NotNull(d.DeletedAt);
            Assert.Equal(owner.UserId, d.DeletedBy);
        });
        var deleted = await fixture.WithDbAsync(db => db.Outbox
            .Where(m => m.OrganizationId == owner.OrganizationId && m.Type == "DeploymentDeleted").Select(m => m.Payload).ToListAsync());
        Assert.Equal(
            new[] { first.Id, second.Id }.Order(),
            deleted.Select(p => SynaxisEvent.FromJson(p).Data.GetProperty("before").GetProperty("id").GetGuid()).Order());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"kind": "openai-compatible", "baseUrl": "https://example.com/v1/"}""", "Name" },
        { """{"name": "", "kind": "openai-compatible", "baseUrl": "https://example.com/v1/"}""", "Name" },
        { $$"""{"name": "{{new string('n', 101)}}", "kind": "openai-compatible", "baseUrl": "https://example.com/v1/"}""", "Name" },
        { """{"name": "p", "kind": "gemini", "baseUrl": "https://example.com/v1/"}""", "Kind" },
        { """{"name": "p", "baseUrl": "https://example.com/v1/"}""", "Kind" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "example.com/v1"}""", "BaseUrl" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "ftp://example.com/v1"}""", "BaseUrl" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "https://user:secret@example.com/v1"}""", "BaseUrl" },
        { """{"name": "p", "kind": "openai-compatible"}""", "BaseUrl" },
        { $$"""{"name": "p", "kind": "openai-compatible", "baseUrl": "https://example.com/", "apiKey": "{{new string('k', 4097)}}"}""", "ApiKey" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "https://example.com/", "apiKey": "line\nbreak"}""", "ApiKey" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "https://example.com/", "isFree": true, "freeTier": {"requestsPerMinute": 0}}""", "RequestsPerMinute" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "https://example.com/", "isFree": true, "freeTier": {"tokensPerMinute": -1}}""", "TokensPerMinute" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "https://example.com/", "isFree": false, "freeTier": {"requestsPerDay": 10}}""", "freeTier" },
        { """{"name": "p", "kind": "azure-openai", "baseUrl": "https://acme.openai.azure.com/"}""", "apiVersion" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "https://example.com/", "apiVersion": "2024-10-21"}""", "apiVersion" },
        { """{"name": "p", "kind": "openai-compatible", "baseUrl": "https://example.com/", "enabled": "yes"}""", "enabled" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Each_invalid_provider_is_a_400_naming_the_field(string body, string field)
    {
        var owner = TestCaller.NewOrganization();
        var problem = await _api.ProblemAsync(owner, HttpMethod.Post, "/api/routing/providers", body, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain((await _api.ListProvidersAsync(owner)).Items, p => p.OrganizationId == owner.OrganizationId);
    }

    [Theory]
    [InlineData("""{"name": "   "}""", "Name")]
    [InlineData("""{"baseUrl": "not a url"}""", "BaseUrl")]
    [InlineData("""{"kind": "azure-openai"}""", "apiVersion")]
    [InlineData("""{"apiVersion": "2024-10-21"}""", "apiVersion")]
    [InlineData("""{"freeTier": {"requestsPerMinute": 5}}""", "freeTier")]
    public async Task Each_invalid_change_is_a_400_and_changes_nothing(string body, string field)
    {
        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner, new { name = "paid", kind = "openai-compatible", baseUrl = "https://example.com/v1/" });
        var problem = await _api.ProblemAsync(owner, HttpMethod.Patch, $"/api/routing/providers/{provider.Id}", body, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.ToString(), StringComparison.OrdinalIgnoreCase);
        var after = await _api.GetProviderAsync(owner, provider.Id);
        Assert.Equal(provider with { UpdatedAt = after.UpdatedAt, CreatedAt = after.CreatedAt }, after);
        Assert.Equal(1, await fixture.WithDbAsync(db => db.Outbox.CountAsync(m => m.OrganizationId == owner.OrganizationId)));
    }

    [Fact]
    public async Task A_change_that_changes_nothing_writes_no_event()
    {
        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);
        var same = await _api.UpdateProviderAsync(owner, provider.Id, new { name = provider.Name, enabled = true, global = false });
        Assert.Equal(provider.Name, same.Name);
        Assert.Equal(1, await fixture.WithDbAsync(db => db.Outbox.CountAsync(m => m.OrganizationId == owner.OrganizationId)));
    }
}
