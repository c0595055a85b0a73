using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// Routing as production runs it: <c>Routing:CustomProviders:AllowPrivateNetworks</c> off (the tests' Development
/// environment would turn it on), on its own PostgreSQL and Redis, without the seeded mock providers. Providers are
/// written straight to the database, as rows that predate the admin API's check (or DNS names that resolve privately).
/// </summary>
public sealed class PrivateNetworkFixture : IAsyncLifetime
{
    private readonly InfrastructureFixture _infrastructure = new();

    public KestrelServiceFactory<Program> Routing { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        Routing = new KestrelServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = await _infrastructure.Postgres.CreateDatabaseAsync(),
            ["ConnectionStrings:redis"] = _infrastructure.Redis.ConnectionString,
            ["InternalIdentity:SigningKey"] = InferenceFixture.InternalSigningKey,
            ["Synaxis:Events:StreamName"] = $"synaxis:events:test-{Guid.NewGuid():N}",
            ["Routing:SeedMockProviders"] = "false",
            ["Routing:FirstByteTimeout"] = "00:00:02",
            ["Routing:CircuitOpenFor"] = "00:00:01",
            ["Routing:CustomProviders:AllowPrivateNetworks"] = "false",
        });
        _ = Routing.BaseAddress;
    }

    /// <summary>
    /// Adds a provider (an organization's, or global when <paramref name="providerOrganizationId"/> is null) with the
    /// organization's deployment of <paramref name="model"/> on it, and reloads the catalog.
    /// </summary>
    public async Task<Provider> AddProviderAsync(Guid? providerOrganizationId, Guid organizationId, string name, string baseUrl, bool isFree,
        string model, decimal price = 0m)
    {
        await using var scope = Routing.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        var provider = new Provider
        {
            OrganizationId = providerOrganizationId,
            Name = name,
            BaseUrl = baseUrl,
            IsFree = isFree,
            Deployments =
            [
                new Deployment
                {
                    OrganizationId = organizationId, Model = model, UpstreamModel = "upstream-model",
                    InputPricePer1M = price, OutputPricePer1M = price,
                },
            ],
        };
        db.Providers.Add(provider);
        await db.SaveChangesAsync();
        await Routing.Services.GetRequiredService<CatalogCache>().ReloadAsync();
        return provider;
    }

    public async Task SetStrategyAsync(Guid organizationId, string type, bool allowPaidFallback)
    {
        await using var scope = Routing.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        db.RoutingStrategies.Add(new RoutingStrategy { OrganizationId = organizationId, Type = type, AllowPaidFallback = allowPaidFallback });
        await db.SaveChangesAsync();
        await Routing.Services.GetRequiredService<CatalogCache>().ReloadAsync();
    }

    /// <summary>A chat completion as the gateway forwards it (signed identity), answered as it comes.</summary>
    public async Task<HttpResponseMessage> ChatAsync(Guid organizationId, string model)
    {
        using var http = Routing.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = JsonContent.Create(new { model, messages = new[] { new { role = "user", content = "hi" } } }),
        };
        request.Headers.Add(InternalIdentity.HeaderName, InferenceFixture.Sign(organizationId, Guid.NewGuid()));
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public async Task DisposeAsync()
    {
        if (Routing is not null)
        {
            await Routing.DisposeAsync();
        }
        await _infrastructure.DisposeAsync();
    }
}
