extern alias audit;

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>An Audit instance on Kestrel that logs the <c>/hubs</c> requests reaching it in <see cref="HubRequests"/>.</summary>
public sealed class AuditServiceFactory(IReadOnlyDictionary<string, string?> settings)
    : KestrelServiceFactory<audit::Program>(settings)
{
    public HubRequestLog HubRequests { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(HubRequests));
    }
}
