using Synaxis.Testing;

namespace Synaxis.Gateway.Tests;

/// <summary>One echo backend standing in for every service, and one gateway on real Kestrel in front of it.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public static readonly string[] Clusters = ["identity", "keys", "ratelimit", "routing", "audit"];

    private EchoBackend? _backend;

    public KestrelServiceFactory<Program> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _backend = await EchoBackend.StartAsync();
        Gateway = new KestrelServiceFactory<Program>(Settings(_backend.BaseAddress));
        _ = Gateway.BaseAddress;
    }

    public HttpClient CreateClient() => Gateway.CreateRealClient();

    /// <summary>Gateway settings: both keys, and every cluster pointed at <paramref name="backend"/>.</summary>
    public static Dictionary<string, string?> Settings(Uri backend, string jwtKey = TestTokens.JwtKey, string? internalKey = TestTokens.InternalKey)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Jwt:SigningKey"] = jwtKey,
            ["InternalIdentity:SigningKey"] = internalKey,
        };
        foreach (var cluster in Clusters)
        {
            settings[$"ReverseProxy:Clusters:{cluster}:Destinations:{cluster}:Address"] = backend.ToString();
        }
        return settings;
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Gateway in front of an echo backend";
}
