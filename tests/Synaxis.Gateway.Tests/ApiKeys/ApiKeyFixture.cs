using StackExchange.Redis;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.ApiKeys;

/// <summary>
/// A real Redis, the echo backend behind every route, a fake Keys verify endpoint, and a gateway in front of them
/// (more gateways on the same Redis on demand). The address failure limit is high here so that the tests'
/// deliberate failures from 127.0.0.1 do not lock each other out; one test lowers it on a gateway of its own.
/// </summary>
public sealed class ApiKeyFixture : IAsyncLifetime
{
    private readonly List<KestrelServiceFactory<Program>> _gateways = [];

    public RedisServer Redis { get; private set; } = null!;

    public ConnectionMultiplexer RedisClient { get; private set; } = null!;

    public EchoBackend Backend { get; private set; } = null!;

    public FakeKeysService Keys { get; private set; } = null!;

    public KestrelServiceFactory<Program> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var redis = RedisServer.StartAsync();
        Backend = await EchoBackend.StartAsync();
        Keys = await FakeKeysService.StartAsync();
        Redis = await redis;
        RedisClient = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        Gateway = StartGateway();
    }

    public Dictionary<string, string?> Settings(IDictionary<string, string?>? overrides = null)
    {
        var settings = GatewayFixture.Settings(Backend.BaseAddress);
        settings["ConnectionStrings:redis"] = Redis.ConnectionString;
        settings["services:keys:http:0"] = Keys.BaseAddress.ToString();
        settings["ApiKeys:LastUsedFlushInterval"] = "00:00:00.200";
        settings["ApiKeys:FailureLimitPerAddress"] = "100000";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Another gateway process-alike on the same Redis and Keys.</summary>
    public KestrelServiceFactory<Program> StartGateway(IDictionary<string, string?>? overrides = null)
    {
        var gateway = new KestrelServiceFactory<Program>(Settings(overrides));
        _ = gateway.BaseAddress;
        lock (_gateways)
        {
            _gateways.Add(gateway);
        }
        return gateway;
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }
        if (RedisClient is not null)
        {
            await RedisClient.DisposeAsync();
        }
        if (Keys is not null)
        {
            await Keys.DisposeAsync();
        }
        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiKeyCollection : ICollectionFixture<ApiKeyFixture>
{
    public const string Name = "Gateway with API keys, Redis and a fake Keys service";
}
