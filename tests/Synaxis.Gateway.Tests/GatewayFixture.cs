using Synaxis.Testing;

namespace Synaxis.Gateway.Tests;

/// <summary>One echo backend standing in for every service, and one gateway on real Kestrel (and a real Redis) in front of it.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public static readonly string[] Clusters = ["identity", "keys", "ratelimit", "routing", "audit"];

    private EchoBackend? _backend;
    private RedisServer? _redis;

    public KestrelServiceFactory<Program> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var redis = RedisServer.StartAsync();
        _backend = await EchoBackend.StartAsync();
        _redis = await redis;
        var settings = Settings(_backend.BaseAddress);
        settings["ConnectionStrings:redis"] = _redis.ConnectionString;
        Gateway = new KestrelServiceFactory<Program>(settings);
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
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Gateway in front of an echo backend";
}
