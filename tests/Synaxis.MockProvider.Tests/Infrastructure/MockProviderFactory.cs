using System.ClientModel;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Synaxis.MockProvider.Tests.Infrastructure;

/// <summary>
/// Hosts the mock provider on Kestrel at a free loopback port, so tests speak real HTTP: streaming,
/// flushing and connection aborts behave as they do for the gateway, which the in-memory TestServer
/// would not show.
/// </summary>
public class MockProviderFactory : WebApplicationFactory<Program>
{
    // Test classes start their servers in parallel; the minimal-hosting bootstrap that WebApplicationFactory
    // hooks into is process-wide, so starts are taken one at a time.
    private static readonly Lock StartGate = new();

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Lazy<Uri> _baseAddress;

    public MockProviderFactory(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        UseKestrel(0);
        _baseAddress = new Lazy<Uri>(StartAndFindAddress);
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>. Starts the server on first use.</summary>
    public Uri BaseAddress => _baseAddress.Value;

    public Uri OpenAIEndpoint => new(BaseAddress, "v1");

    /// <summary>A plain client on a real socket, with a timeout far above anything a test waits for.</summary>
    public HttpClient CreateHttpClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };

    public OpenAIClient CreateOpenAIClient(string apiKey = "test-key") =>
        new(new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = OpenAIEndpoint });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
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
