using System.Net;
using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Tests.Admin;

/// <summary>
/// An organization's provider must be on the public internet (<c>Routing:CustomProviders:AllowPrivateNetworks</c> off,
/// as in production): a base URL on this machine or a private network is a 400 naming <c>baseUrl</c>. Global
/// providers (platform administrators) are not restricted.
/// </summary>
[Collection(CatalogAdminCollection.Name)]
public sealed class CustomProviderUrlTests(CatalogAdminFixture fixture)
{
    private readonly CatalogApiClient _api = new(fixture.Service.CreateRealClient());

    [Theory]
    [InlineData("http://127.0.0.1:8080/v1")]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://10.0.0.5/")]
    [InlineData("http://localhost:11434/v1")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data/")]
    [InlineData("http://192.168.1.20:8000/v1/")]
    [InlineData("http://2130706433:8080/v1")]
    [InlineData("http://ollama.localhost/v1")]
    public async Task An_organizations_provider_on_a_private_address_is_a_400_naming_the_field(string baseUrl)
    {
        var admin = TestCaller.NewOrganization(Synaxis.ServiceKit.Security.OrganizationRoles.Admin);

        var problem = await _api.ProblemAsync(admin, HttpMethod.Post, "/api/routing/providers",
            new { name = "sneaky", kind = "openai-compatible", baseUrl }, HttpStatusCode.BadRequest);

        Assert.Contains("must be reachable on the public internet", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("baseUrl", out _), problem.ToString());
        Assert.DoesNotContain((await _api.ListProvidersAsync(admin)).Items, p => p.OrganizationId == admin.OrganizationId);
        Assert.Equal(0, await fixture.WithDbAsync(db => db.Outbox.CountAsync(m => m.OrganizationId == admin.OrganizationId)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:11434/v1/")]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://localhost:11434/v1/")]
    public async Task Moving_an_organizations_provider_to_a_private_address_is_a_400_and_changes_nothing(string baseUrl)
    {
        var owner = TestCaller.NewOrganization();
        var provider = await _api.CreateProviderAsync(owner);

        var problem = await _api.ProblemAsync(owner, HttpMethod.Patch, $"/api/routing/providers/{provider.Id}",
            new { baseUrl, name = "moved" }, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("baseUrl", out _), problem.ToString());
        var after = await _api.GetProviderAsync(owner, provider.Id);
        Assert.Equal(provider.BaseUrl, after.BaseUrl);
        Assert.Equal(provider.Name, after.Name);
        Assert.Equal(1, await fixture.WithDbAsync(db => db.Outbox.CountAsync(m => m.OrganizationId == owner.OrganizationId)));
    }

    [Theory]
    [InlineData("https://api.groq.com/openai/v1/")]
    [InlineData("https://127.0.0.1.nip.io/v1/")] // a DNS name: what it resolves to is refused when connecting
    [InlineData("http://8.8.8.8/v1/")]
    public async Task An_organizations_provider_at_a_public_address_or_dns_name_is_accepted(string baseUrl)
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateProviderAsync(owner, new { name = "public", kind = "openai-compatible", baseUrl });
        Assert.Equal(baseUrl, created.BaseUrl);
    }

    [Fact]
    public async Task A_platform_administrator_may_put_a_global_provider_on_a_private_address()
    {
        var administrator = TestCaller.PlatformAdministrator();
        var global = await _api.CreateProviderAsync(administrator, new
        {
            name = $"lan-ollama-{Guid.NewGuid():N}", kind = "openai-compatible", baseUrl = "http://127.0.0.1:11434/v1/", global = true,
        });
        try
        {
            Assert.True(global.Global);
            var moved = await _api.UpdateProviderAsync(administrator, global.Id, new { baseUrl = "http://10.0.0.5:8000/v1/" });
            Assert.Equal("http://10.0.0.5:8000/v1/", moved.BaseUrl);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, await _api.StatusAsync(administrator, HttpMethod.Delete, $"/api/routing/providers/{global.Id}"));
        }
    }

    [Fact]
    public async Task A_provider_stored_before_the_check_can_still_be_renamed_disabled_or_moved_to_a_public_url()
    {
        // Rows that predate the check are refused when connecting; the API lets an Admin fix them.
        var owner = TestCaller.NewOrganization();
        var provider = new Provider { OrganizationId = owner.OrganizationId, Name = "old", BaseUrl = "http://127.0.0.1:11434/v1/" };
        await fixture.WithDbAsync(async db =>
        {
            db.Providers.Add(provider);
            return await db.SaveChangesAsync();
        });

        Assert.False((await _api.UpdateProviderAsync(owner, provider.Id, new { name = "old-ollama", enabled = false })).Enabled);
        var moved = await _api.UpdateProviderAsync(owner, provider.Id, new { baseUrl = "https://api.groq.com/openai/v1/" });
        Assert.Equal("https://api.groq.com/openai/v1/", moved.BaseUrl);
    }
}
