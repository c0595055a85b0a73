using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Testing;

namespace Synaxis.Audit.Tests.Infrastructure;

/// <summary>The Audit service on Kestrel, on a clock of the test's choosing.</summary>
internal sealed class AuditServiceFactory(IReadOnlyDictionary<string, string?> settings, TimeProvider? time)
    : KestrelServiceFactory<Program>(settings)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (time is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(time));
        }
    }
}
