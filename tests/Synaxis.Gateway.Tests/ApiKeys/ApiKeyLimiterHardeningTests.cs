using System.Net;
using Synaxis.ServiceKit.Keys;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.ApiKeys;

[Collection(ApiKeyCollection.Name)]
public sealed class ApiKeyLimiterHardeningTests(ApiKeyFixture fixture)
{
    private const int FailureLimitPerKey = 10; // the default

    private static async Task<HttpResponseMessage> SendAsync(
        KestrelServiceFactory<Program> gateway, string apiKey, string? forwardedFor = null)
    {
        using var client = gateway.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + apiKey);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }
        return await client.SendAsync(request);
    }

    private async Task<HttpStatusCode> StatusAsync(KestrelServiceFactory<Program> gateway, string apiKey, string? forwardedFor = null)
    {
        using var response = await SendAsync(gateway, apiKey, forwardedFor);
        return response.StatusCode;
    }

    [Fact]
    public async Task Once_an_address_is_blocked_fresh_random_keys_from_it_cost_no_redis_round_trip()
    {
        const int limit = 3;
        var database = fixture.RedisClient.GetDatabase();
        await database.KeyDeleteAsync(ApiKeyRedisKeys.FailuresByAddress("127.0.0.1"));
        try
        {
            await using var gateway = new CountingRedisGateway(
                fixture.Settings(new Dictionary<string, string?> { ["ApiKeys:FailureLimitPerAddress"] = limit.ToString() }),
                fixture.Redis.ConnectionString);
            for (var attempt = 0; attempt < limit; attempt++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gateway, ApiKeyFormat.Generate().Key));
            }
            Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(gateway, ApiKeyFormat.Generate().Key));
            var callsBefore = fixture.Keys.Calls;

            var flood = Enumerable.Range(0, 5).Select(_ => ApiKeyFormat.Generate()).ToArray();
            foreach (var key in flood)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(gateway, key.Key));
            }

            var touched = gateway.Keys.Where(redisKey => flood.Any(key => redisKey.Contains(key.Id, StringComparison.Ordinal))).ToList();
            Assert.Empty(touched);
            Assert.Equal(callsBefore, fixture.Keys.Calls);
        }
        finally
        {
            await database.KeyDeleteAsync(ApiKeyRedisKeys.FailuresByAddress("127.0.0.1"));
        }
    }

    /// <summary>
    /// Someone who knows a key's id (its public part) floods it with wrong secrets: they get 429 and bcrypt runs at
    /// most the limit. The real key, on a gateway with an empty cache and with its shared verified entry gone, still
    /// gets through with one verification: its SHA-256 is the one last verified for the id. (A key never verified
    /// before still waits out the window: that is the trade-off, see ApiKeyResolver.)
    /// </summary>
    [Fact]
    public async Task A_flood_of_wrong_secrets_for_an_id_does_not_lock_out_the_real_key()
    {
        var key = fixture.Keys.Register([ApiKeyScopes.Inference]);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Gateway, key.Key));
        Assert.Equal(1, fixture.Keys.CallsFor(key.KeyId));
        // The shared verified entry lapses (TTL, or an eviction): what is left in Redis is the counter and the known hash.
        await fixture.RedisClient.GetDatabase().KeyDeleteAsync(ApiKeyRedisKeys.Verified(key.KeyId));

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < FailureLimitPerKey + 5; attempt++)
        {
            statuses.Add(await StatusAsync(fixture.Gateway, key.WithWrongSecret()));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        var bcrypts = fixture.Keys.CallsFor(key.KeyId) - 1;
        Assert.InRange(bcrypts, 1, FailureLimitPerKey);

        var fresh = fixture.StartGateway();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fresh, key.Key));
        Assert.Equal(1 + bcrypts + 1, fixture.Keys.CallsFor(key.KeyId));

        // The real key's success did not give the flood a fresh allowance.
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(fresh, key.WithWrongSecret()));
        Assert.Equal(1 + bcrypts + 1, fixture.Keys.CallsFor(key.KeyId));
    }

    [Fact]
    public async Task A_spoofed_x_forwarded_for_is_ignored_unless_the_peer_is_a_known_proxy()
    {
        var database = fixture.RedisClient.GetDatabase();
        const string spoofed = "203.0.113.77";
        const string forwarded = "203.0.113.78";
        await database.KeyDeleteAsync([ApiKeyRedisKeys.FailuresByAddress(spoofed), ApiKeyRedisKeys.FailuresByAddress(forwarded)]);

        // Nobody is trusted by default, not even loopback: the client cannot pick the address it is limited by.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(fixture.Gateway, ApiKeyFormat.Generate().Key, spoofed));
        Assert.False(await database.KeyExistsAsync(ApiKeyRedisKeys.FailuresByAddress(spoofed)));

        var behindProxy = fixture.StartGateway(new Dictionary<string, string?> { ["Gateway:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" });
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(behindProxy, ApiKeyFormat.Generate().Key, forwarded));
        Assert.Equal(1, (long)await database.StringGetAsync(ApiKeyRedisKeys.FailuresByAddress(forwarded)));

        await database.KeyDeleteAsync([ApiKeyRedisKeys.FailuresByAddress(spoofed), ApiKeyRedisKeys.FailuresByAddress(forwarded)]);
    }
}
