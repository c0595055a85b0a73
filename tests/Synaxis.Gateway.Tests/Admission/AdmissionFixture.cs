using System.Net.Http.Headers;
using System.Net.Http.Json;
using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.Admission;

/// <summary>Two gateway instances sharing one real Redis, both in front of the echo backend (standing in for Routing).</summary>
public sealed class AdmissionFixture : IAsyncLifetime
{
    private EchoBackend? _backend;

    public RedisServer Redis { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public KestrelServiceFactory<Program> First { get; private set; } = null!;

    public KestrelServiceFactory<Program> Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var redis = RedisServer.StartAsync();
        _backend = await EchoBackend.StartAsync();
        Redis = await redis;
        Connection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        First = Start(Settings(_backend.BaseAddress, Redis));
        Second = Start(Settings(_backend.BaseAddress, Redis));
    }

    public static Dictionary<string, string?> Settings(Uri backend, RedisServer redis)
    {
        var settings = GatewayFixture.Settings(backend);
        settings["ConnectionStrings:redis"] = redis.ConnectionString;
        return settings;
    }

    public static KestrelServiceFactory<Program> Start(Dictionary<string, string?> settings)
    {
        var gateway = new KestrelServiceFactory<Program>(settings);
        _ = gateway.BaseAddress;
        return gateway;
    }

    public Uri Backend => _backend!.BaseAddress;

    /// <summary>Mirrors a policy as the RateLimit service does after its database commits.</summary>
    public Task SetPolicyAsync(Guid organizationId, LimitLevel level, Guid id, LimitPolicy policy) =>
        new PolicyMirrorWriter(Connection).WriteAsync([
            new PolicyMirrorEntry(organizationId.ToString(), level, id.ToString(), policy, false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        ]);

    public async Task DisposeAsync()
    {
        if (First is not null)
        {
            await First.DisposeAsync();
        }
        if (Second is not null)
        {
            await Second.DisposeAsync();
        }
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AdmissionCollection : ICollectionFixture<AdmissionFixture>
{
    public const string Name = "Two gateways admitting through one Redis";
}

/// <summary>Inference requests as a client sends them.</summary>
internal static class Inference
{
    public static object Chat(string text = "Hello there", int? maxTokens = 16) =>
        new { model = "mock-small", messages = new[] { new { role = "user", content = text } }, max_tokens = maxTokens };

    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient client, string token, object? body = null, string path = "/v1/chat/completions", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? Chat()) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        configure?.Invoke(request);
        return await client.SendAsync(request);
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    /// <summary>OpenAI's error envelope: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    public static async Task<(string Code, string Type, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        return (error.GetProperty("code").GetString()!, error.GetProperty("type").GetString()!, error.GetProperty("message").GetString()!);
    }
}
