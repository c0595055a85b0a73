using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.Routing.Tests.Infrastructure;
using Synaxis.ServiceKit.Security;
using Synaxis.Testing;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// Routing on real Kestrel (real PostgreSQL and Redis) and several mock upstreams, each with a standing fault. Each
/// test makes its own organization with its own providers, so tests stay independent.
/// </summary>
public class InferenceFixture : IAsyncLifetime
{
    public const string InternalSigningKey = "routing-tests-internal-identity-key-0123456789";

    private readonly InfrastructureFixture _infrastructure = new();
    private readonly List<MockUpstream> _upstreams = [];
    private readonly bool _allowPrivateNetworks;

    public InferenceFixture()
        : this(allowPrivateNetworks: true)
    {
    }

    /// <param name="allowPrivateNetworks">
    /// <c>Routing:CustomProviders:AllowPrivateNetworks</c>: on for the tests whose organizations' providers are the mocks
    /// on loopback, off to run Routing as production does (<see cref="PrivateNetworkFixture"/>).
    /// </param>
    protected InferenceFixture(bool allowPrivateNetworks) => _allowPrivateNetworks = allowPrivateNetworks;

    public static readonly InternalIdentitySigner Signer = new(
        Options.Create(new InternalIdentityOptions { SigningKey = InternalSigningKey }), TimeProvider.System);

    public KestrelServiceFactory<Program> Routing { get; private set; } = null!;

    public string EventStream { get; } = $"synaxis:events:test-{Guid.NewGuid():N}";

    public string RedisConnectionString => _infrastructure.Redis.ConnectionString;

    public MockUpstream Healthy { get; private set; } = null!;
    public MockUpstream RateLimited { get; private set; } = null!;
    public MockUpstream Failing { get; private set; } = null!;
    public MockUpstream Hanging { get; private set; } = null!;
    public MockUpstream Cutting { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        Healthy = Upstream(null);
        RateLimited = Upstream("rate-limit");
        Failing = Upstream("server-error");
        Hanging = Upstream("hang");
        Cutting = Upstream("cut-stream");
        var database = await _infrastructure.Postgres.CreateDatabaseAsync();
        Routing = new KestrelServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = database,
            ["ConnectionStrings:redis"] = _infrastructure.Redis.ConnectionString,
            ["InternalIdentity:SigningKey"] = InternalSigningKey,
            ["Synaxis:Events:StreamName"] = EventStream,
            ["Routing:FirstByteTimeout"] = "00:00:02",
            ["Routing:CircuitOpenFor"] = "00:00:03",
            // The first-run catalog, pointed at the healthy mock: the global mock-free and mock-paid providers.
            ["Routing:SeedMockProviders"] = "true",
            ["Routing:MockProviderUrl"] = new Uri(Healthy.BaseAddress, "v1/").ToString(),
            ["Routing:CustomProviders:AllowPrivateNetworks"] = _allowPrivateNetworks ? "true" : "false",
        });
        _ = Routing.BaseAddress;
    }

    private MockUpstream Upstream(string? fault)
    {
        var upstream = new MockUpstream(fault is null ? null : new Dictionary<string, string?> { ["MockProvider:Faults:Fault"] = fault, ["MockProvider:Faults:LatencyMs"] = "0" });
        _ = upstream.BaseAddress;
        _upstreams.Add(upstream);
        return upstream;
    }

    /// <summary>Adds an organization's own provider with one deployment of <paramref name="model"/>, and reloads the catalog.</summary>
    public Task<Provider> AddProviderAsync(Guid organizationId, string name, MockUpstream upstream, bool isFree, string model,
        decimal input = 0m, decimal output = 0m, string[]? aliases = null, int? freeRequestsPerDay = null) =>
        AddProviderAsync(organizationId, name, upstream.BaseAddress, ProviderKinds.OpenAICompatible, null, isFree, model, input, output, aliases, freeRequestsPerDay);

    /// <summary>
    /// Adds a provider at <paramref name="upstream"/> (its OpenAI API under <c>v1/</c>) with the organization's deployment of
    /// <paramref name="model"/> on it: the organization's own provider, or a global one when <paramref name="global"/>.
    /// </summary>
    public async Task<Provider> AddProviderAsync(Guid organizationId, string name, Uri upstream, string kind, string? apiKey, bool isFree, string model,
        decimal input = 0m, decimal output = 0m, string[]? aliases = null, int? freeRequestsPerDay = null, string? apiVersion = null,
        bool global = false)
    {
        await using var scope = Routing.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        var provider = new Provider
        {
            OrganizationId = global ? null : organizationId,
            Name = name,
            Kind = kind,
            ApiVersion = apiVersion,
            ProtectedApiKey = apiKey is null ? null : Routing.Services.GetRequiredService<Synaxis.Routing.Security.ProviderKeyProtector>().Protect(apiKey),
            BaseUrl = new Uri(upstream, "v1/").ToString(),
            IsFree = isFree,
            FreeRequestsPerDay = freeRequestsPerDay,
            Deployments =
            [
                new Deployment
                {
                    OrganizationId = organizationId, Model = model, UpstreamModel = "upstream-" + model,
                    InputPricePer1M = input, OutputPricePer1M = output, Aliases = [.. aliases ?? []],
                },
            ],
        };
        db.Providers.Add(provider);
        await db.SaveChangesAsync();
        await Routing.Services.GetRequiredService<CatalogCache>().ReloadAsync();
        return provider;
    }

    /// <summary>Writes an Identity event into Routing's outbox (relayed to the stream, consumed back) and waits until it is applied.</summary>
    public async Task PublishIdentityEventAsync(string type, Guid organizationId, object data)
    {
        var @event = Synaxis.ServiceKit.Events.SynaxisEvent.Create(type, organizationId, System.Text.Json.JsonSerializer.SerializeToElement(data),
            Synaxis.ServiceKit.Events.EventOrigin.User(Guid.NewGuid()), DateTimeOffset.UtcNow);
        await using (var scope = Routing.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
            Synaxis.ServiceKit.Events.DbContextEventExtensions.AddEvent(db, @event);
            await db.SaveChangesAsync();
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var scope = Routing.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
            if (await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.ProcessedEvents, p => p.EventId == @event.Id))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the {type} event was not applied within 30 s");
            await Task.Delay(100);
        }
    }

    public async Task SetStrategyAsync(Guid organizationId, string type, bool allowPaidFallback)
    {
        await using var scope = Routing.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        db.RoutingStrategies.Add(new RoutingStrategy { OrganizationId = organizationId, Type = type, AllowPaidFallback = allowPaidFallback });
        await db.SaveChangesAsync();
        await Routing.Services.GetRequiredService<CatalogCache>().ReloadAsync();
    }

    /// <summary>The official OpenAI client, speaking to Routing as the gateway forwards: with a signed identity.</summary>
    public OpenAIClient Client(Guid organizationId, Guid? userId = null, string? reservation = null)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(Routing.BaseAddress, "v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(60),
        };
        options.AddPolicy(new IdentityPolicy(organizationId, userId ?? Guid.NewGuid(), reservation), PipelinePosition.PerCall);
        return new OpenAIClient(new ApiKeyCredential("not-used-past-the-gateway"), options);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, Guid organizationId, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(Routing.BaseAddress, path)) { Content = content };
        request.Headers.Add(InternalIdentity.HeaderName, Sign(organizationId, Guid.NewGuid()));
        return request;
    }

    public static string Sign(Guid organizationId, Guid userId) => Signer.Sign(new CallerIdentity
    {
        OrganizationId = organizationId,
        UserId = userId,
        Role = OrganizationRoles.Member,
        GroupIds = [],
    });

    public async Task DisposeAsync()
    {
        if (Routing is not null)
        {
            await Routing.DisposeAsync();
        }
        foreach (var upstream in _upstreams)
        {
            await upstream.DisposeAsync();
        }
        await _infrastructure.DisposeAsync();
    }

    private sealed class IdentityPolicy(Guid organizationId, Guid userId, string? reservation) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Stamp(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Stamp(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Stamp(PipelineMessage message)
        {
            message.Request.Headers.Set(InternalIdentity.HeaderName, Sign(organizationId, userId));
            if (reservation is not null)
            {
                message.Request.Headers.Set("X-Synaxis-Reservation", reservation);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InferenceCollection : ICollectionFixture<InferenceFixture>
{
    public const string Name = "Routing with mock upstreams";
}
