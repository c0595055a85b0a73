using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Inference;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Upstream;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Routing.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<RoutingDbContext>(RoutingDbContext.Schema);
        builder.AddCatalogAdmin();
        builder.Services.AddValidation();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<CatalogChangeNotifier>();
        // Order matters: hosted services start in turn, after the migrations: the seed, then the first catalog load.
        builder.Services.AddHostedService<MockCatalogSeeder>();
        builder.Services.AddSingleton<CatalogCache>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CatalogCache>());

        builder.Services.AddOptions<InferenceOptions>().BindConfiguration("Routing");
        builder.Services.AddSingleton(services => new ProviderHealth(
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<InferenceOptions>>().Value.CircuitOpenFor));
        builder.Services.AddSingleton<ProviderHealthRecorder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ProviderHealthRecorder>());
        builder.Services.AddSingleton<ProviderProbe>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ProviderProbe>());
        builder.Services.AddEventPublisher();
        builder.Services.AddOptions<UsageOptions>().BindConfiguration(UsageOptions.SectionName);
        builder.Services.AddSingleton<UsagePublisher>();
        // The web server is always the host's last hosted service, so it stops first (its requests drained): the queue
        // this then publishes on stopping holds every answer's usage.
        builder.Services.AddHostedService(services => services.GetRequiredService<UsagePublisher>());
        builder.Services.AddSingleton<UsageRecorder>();
        builder.Services.AddSingleton<FreeTierQuota>();
        builder.Services.AddSingleton<RoutingMetrics>();
        builder.Services.AddSingleton<InferenceProxy>();

        // Upstream calls: pooled connections, no automatic retries or total timeout (fallback is Routing's own, and a
        // stream may last minutes); service discovery still resolves http://mock-provider. RemoveAllResilienceHandlers
        // is marked experimental (EXTEXP0001) but is the supported way to undo ConfigureHttpClientDefaults for one client.
        // Organizations' custom providers have their own client, so their own connection pool: a connection opened for a
        // global provider (which may be on a private address) is never reused for theirs, and theirs connect only to
        // public addresses unless Routing:CustomProviders:AllowPrivateNetworks (PublicAddressConnector).
        builder.Services.AddOptions<CustomProviderOptions>().BindConfiguration(CustomProviderOptions.SectionName).ValidateOnStart();
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(InferenceProxy.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(UpstreamHandler)
            // The factory's per-request log scope and start/end records (Information) cost every call and are filtered out.
            .RemoveAllLoggers()
            .RemoveAllResilienceHandlers();
        builder.Services.AddHttpClient(InferenceProxy.CustomHttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                var handler = UpstreamHandler();
                if (!services.GetRequiredService<IOptions<CustomProviderOptions>>().Value.AllowPrivateNetworks)
                {
                    handler.ConnectCallback = PublicAddressConnector.ConnectAsync;
                    // Through a proxy the callback would see (and check) the proxy's address, and the proxy would
                    // connect anywhere: custom providers are reached directly.
                    handler.UseProxy = false;
                }
                return handler;
            })
            .RemoveAllLoggers()
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    private static SocketsHttpHandler UpstreamHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 1024,
        // A provider's cookies must not reach another organization's calls, and a redirect must not take a
        // request (with its API key) somewhere the catalog does not name.
        UseCookies = false,
        AllowAutoRedirect = false,
    };
}
