using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Synaxis.Routing.Apis;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Events;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Security;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Routing.Extensions;

/// <summary>
/// The catalog's admin side: the <c>/api/routing</c> endpoints (providers, deployments, strategy, health), the
/// encryption of provider API keys, the catalog events and the consumer of Identity's <c>OrganizationDeleted</c>.
/// Call after <c>AddServiceData&lt;RoutingDbContext&gt;</c>. The request bodies are validated by the project's one
/// <c>builder.Services.AddValidation()</c> call (in <c>AddApplicationServices</c>: a second call in the project breaks the
/// validation source generator).
/// </summary>
public static class CatalogAdminExtensions
{
    public static IHostApplicationBuilder AddCatalogAdmin(this IHostApplicationBuilder builder)
    {
        // One key ring for every Routing instance, in its schema: any instance decrypts what another encrypted.
        // PostConfigure, so that no PersistKeysTo… registered elsewhere replaces it (see DataProtectionKeyRepository).
        builder.Services.AddDataProtection().SetApplicationName("synaxis-routing");
        builder.Services.AddSingleton<IPostConfigureOptions<KeyManagementOptions>>(services => new PostConfigureOptions<KeyManagementOptions>(
            Options.DefaultName,
            options => options.XmlRepository = new DataProtectionKeyRepository(services.GetRequiredService<IServiceScopeFactory>())));
        StartDataProtectionAfterMigrations(builder.Services);
        builder.Services.TryAddSingleton<ProviderKeyProtector>();

        // Validated at startup: a malformed id fails the start, not every request.
        builder.Services.AddOptions<PlatformAdministratorOptions>().BindConfiguration(PlatformAdministratorOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddSingleton<CatalogChangeNotifier>();

        builder.Services.TryAddSingleton<CatalogChangeAfterCommit>();
        builder.Services.ConfigureDbContext<RoutingDbContext>(
            (services, options) => options.AddInterceptors(services.GetRequiredService<CatalogChangeAfterCommit>()),
            ServiceLifetime.Singleton);
        builder.Services.AddOutboxRelay<RoutingDbContext>();
        builder.Services.AddEventConsumer<RoutingDbContext, IdentityEventsHandler>(IdentityEventsHandler.ConsumerGroup);
        return builder;
    }

    /// <summary>
    /// Data Protection loads its key ring when the host starts, in a hosted service that <c>AddAuthentication</c>
    /// registered before the migrations: on a fresh database its table does not exist yet, and the first start logs a
    /// failed read. Hosted services start in turn, so moving it after the migration hosted service fixes that. Found by
    /// name (the type is internal); if it is ever renamed, the only loss is that log line.
    /// </summary>
    private static void StartDataProtectionAfterMigrations(IServiceCollection services)
    {
        var keyRingLoader = services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService");
        if (keyRingLoader is not null)
        {
            services.Remove(keyRingLoader);
            services.Add(keyRingLoader);
        }
    }

    public static IEndpointRouteBuilder MapCatalogAdminApis(this IEndpointRouteBuilder app)
    {
        app.MapProvidersApi();
        app.MapDeploymentsApi();
        app.MapStrategyApi();
        app.MapRoutingHealthApi();
        return app;
    }
}
