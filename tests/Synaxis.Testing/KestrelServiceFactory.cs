using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Synaxis.Testing;

/// <summary>
/// Hosts a service on Kestrel at a free loopback port with the given settings, so tests speak real
/// HTTP to it. Settings are applied as configuration (e.g. <c>ConnectionStrings:synaxis</c>).
/// </summary>
public class KestrelServiceFactory<TProgram> : WebApplicationFactory<TProgram>
    where TProgram : class
{
    // The minimal-hosting bootstrap that WebApplicationFactory hooks into is process-wide: start one at a time.
    private static readonly Lock StartGate = new();

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Lazy<Uri> _baseAddress;

    public KestrelServiceFactory(IReadOnlyDictionary<string, string?> settings)
    {
        _settings = settings;
        UseKestrel(0);
        _baseAddress = new Lazy<Uri>(StartAndFindAddress);
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>. Starts the server on first use.</summary>
    public Uri BaseAddress => _baseAddress.Value;

    public HttpClient CreateRealClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    private Uri StartAndFindAddress()
    {
        lock (StartGate)
        {
            StartServer();
        }
        var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}
