using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;
using Synaxis.Testing;
using Xunit.Abstractions;

namespace Synaxis.Gateway.Tests.ApiKeys;

/// <summary>
/// Issue 4's "revoke → refused within 1 s on two gateway instances", end to end: a key made and revoked through the
/// real Keys API, used through two gateways that share only Redis and the Keys service.
/// </summary>
[Collection(RealKeysCollection.Name)]
public sealed class RealRevocationTests(RealKeysFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan RevocationBound = TimeSpan.FromSeconds(1);

    /// <summary>What one poll of a gateway saw, and when on the stopwatch started as DELETE returned.</summary>
    private sealed record Observation(HttpStatusCode Status, string? Code, string? Message, TimeSpan At)
    {
        public override string ToString() => $"{(int)Status} {Code} at {At.TotalMilliseconds:F0} ms";
    }

    [Fact]
    public async Task A_key_revoked_through_the_keys_api_is_refused_by_two_gateways_within_a_second_of_one_stopwatch()
    {
        var member = new TestTokens { Role = OrganizationRoles.Member, Groups = [] }.Mint();
        var (keyGuid, key) = await CreateKeyAsync(member);
        var keyId = KeyIdOf(key);
        var verified = ApiKeyRedisKeys.Verified(keyId);
        var gateways = new[] { fixture.FirstGateway, fixture.SecondGateway };

        // Open connections, kept alive, so the polls after the revocation time the gateways rather than TCP setup.
        using var first = fixture.FirstGateway.CreateRealClient();
        using var second = fixture.SecondGateway.CreateRealClient();

        // The first gateway asks Keys (one bcrypt); the second finds the verdict the first left in Redis.
        foreach (var client in new[] { first, second })
        {
            await AssertServedAsync(client, key);
        }
        Assert.Equal(1, fixture.Keys.VerifyCallsFor(keyId));

        // From now on each gateway answers from its own memory: no Keys call, not even a Redis read of the entry.
        var redisReadsBefore = gateways.Select(gateway => CountOf(gateway, verified)).ToArray();
        Assert.All(redisReadsBefore, reads => Assert.True(reads >= 1, "each gateway looked the key up in Redis once"));
        for (var i = 0; i < 3; i++)
        {
            await Task.WhenAll(AssertServedAsync(first, key), AssertServedAsync(second, key));
        }
        Assert.Equal(1, fixture.Keys.VerifyCallsFor(keyId));
        Assert.Equal(redisReadsBefore, gateways.Select(gateway => CountOf(gateway, verified)).ToArray());

        // Only to explain a slow refusal: when the eviction went out, relative to DELETE's return.
        long evictionSeenAt = 0;
        var evictions = await fixture.Redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ApiKeyRedisKeys.EvictionChannel));
        evictions.OnMessage(message =>
        {
            if (message.Message == keyId)
            {
                Interlocked.CompareExchange(ref evictionSeenAt, Stopwatch.GetTimestamp(), 0);
            }
        });

        using var revocation = new HttpRequestMessage(HttpMethod.Delete, $"/api/keys/{keyGuid}");
        revocation.Headers.Authorization = new AuthenticationHeaderValue("Bearer", member);
        using var revoked = await first.SendAsync(revocation);
        var sinceRevocation = Stopwatch.StartNew();
        var revokedAt = Stopwatch.GetTimestamp();
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        var polls = await Task.WhenAll(RefusedAsync(first, key, sinceRevocation), RefusedAsync(second, key, sinceRevocation));

        var (firstRefusal, firstOthers) = polls[0];
        var (secondRefusal, secondOthers) = polls[1];
        await evictions.UnsubscribeAsync();
        var evictedAt = Interlocked.Read(ref evictionSeenAt) is not 0 and var seenAt
            ? $"{Stopwatch.GetElapsedTime(revokedAt, seenAt).TotalMilliseconds:F0} ms"
            : "never seen";
        var verifications = fixture.Keys.VerifyDurationsFor(keyId).Select(d => $"{d.TotalMilliseconds:F0} ms").ToList();
        var reverifications = string.Join(", ", verifications.Skip(1));
        var measured = $"first gateway refused at {firstRefusal.At.TotalMilliseconds:F0} ms, " +
            $"second at {secondRefusal.At.TotalMilliseconds:F0} ms after DELETE returned " +
            $"(the eviction reached a subscriber at {evictedAt}, negative meaning before DELETE returned; " +
            $"Keys answered the gateways' re-verifications in {reverifications}, the first verification alone in {verifications[0]})";
        output.WriteLine(measured);
        Assert.True(
            firstRefusal.At <= RevocationBound && secondRefusal.At <= RevocationBound,
            $"Not both within {RevocationBound.TotalMilliseconds:F0} ms: {measured}.");
        // Until the refusal, the key was served as before: never an outage, a 403 or anything else.
        Assert.Empty(firstOthers);
        Assert.Empty(secondOthers);
        foreach (var refusal in new[] { firstRefusal, secondRefusal })
        {
            Assert.Equal("invalid_api_key", refusal.Code);
            Assert.Contains("revoked", refusal.Message);
        }
        // Both refused from the "revoked" marker Keys left in Redis: no gateway had to ask Keys again (and pay bcrypt).
        Assert.True(fixture.Keys.VerifyCallsFor(keyId) == 1, $"Keys was asked to verify the revoked key again: {measured}.");
    }

    /// <summary>POST /api/keys/ through the first gateway as <paramref name="accessToken"/>'s user: an inference key.</summary>
    private async Task<(Guid Id, string Key)> CreateKeyAsync(string accessToken)
    {
        using var http = fixture.FirstGateway.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/keys/")
        {
            Content = JsonContent.Create(new { name = "revoked within a second", scopes = new[] { ApiKeyScopes.Inference } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }

    /// <summary>GET /v1/models with the key reaches the routing backend (the echo backend here).</summary>
    private static async Task AssertServedAsync(HttpClient client, string key)
    {
        using var response = await GetModelsAsync(client, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
        Assert.Equal("/v1/models", echo!.Path);
    }

    private static Task<HttpResponseMessage> GetModelsAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }

    /// <summary>
    /// Polls the gateway until it answers 401, and returns that answer (timed on <paramref name="sinceRevocation"/> as it
    /// arrived) and every answer before it that was neither that nor the 200 of a still-cached key. The timeout is long
    /// only so that a slow refusal is measured and reported; the bound is asserted by the caller.
    /// </summary>
    private static async Task<(Observation Refusal, List<Observation> Others)> RefusedAsync(
        HttpClient client, string key, Stopwatch sinceRevocation)
    {
        var others = new List<Observation>();
        var refusal = await Eventually.ResultAsync(
            async () =>
            {
                using var response = await GetModelsAsync(client, key);
                var at = sinceRevocation.Elapsed;
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    var seen = new Observation(response.StatusCode, null, null, at);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        others.Add(seen);
                    }
                    return seen;
                }
                var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
                return new Observation(
                    response.StatusCode, error.GetProperty("code").GetString(), error.GetProperty("message").GetString(), at);
            },
            seen => seen.Status == HttpStatusCode.Unauthorized,
            "the revoked key to be refused",
            TimeSpan.FromSeconds(10));
        return (refusal, others);
    }

    private static string KeyIdOf(string key)
    {
        Assert.True(ApiKeyFormat.TryParse(key, out var id), "the key has the synaxis_{id}_{secret} format");
        return id.ToString();
    }

    private static int CountOf(CountingRedisGateway gateway, string redisKey) =>
        gateway.Keys.Count(touched => touched == redisKey);
}
