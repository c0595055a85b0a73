using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.ApiKeys;

[Collection(ApiKeyCollection.Name)]
public sealed class ApiKeyAuthenticationTests(ApiKeyFixture fixture)
{
    private const int FailureLimitPerKey = 10; // the default

    private static readonly InternalIdentityValidator ServiceValidator = new(
        Options.Create(new InternalIdentityOptions { SigningKey = TestTokens.InternalKey }), TimeProvider.System);

    private FakeKeysService Keys => fixture.Keys;

    private static async Task<HttpResponseMessage> SendAsync(
        KestrelServiceFactory<Program> gateway, string path, string? bearer = null, string? apiKey = null)
    {
        using var client = gateway.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }
        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", apiKey);
        }
        return await client.SendAsync(request);
    }

    private Task<HttpResponseMessage> SendAsync(string path, string? bearer = null, string? apiKey = null) =>
        SendAsync(fixture.Gateway, path, bearer, apiKey);

    private static async Task<JsonElement> AssertOpenAIErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var error = body.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.True(response.Headers.Contains("x-request-id"));
        return error;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static async Task<EchoedRequest> AssertReachedServiceAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions))!;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < within, $"Not within {within}: {what}");
            await Task.Delay(25);
        }
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("x-api-key")]
    public async Task A_valid_key_in_either_header_reaches_the_service_as_a_signed_identity(string header)
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);

        using var response = header == "bearer"
            ? await SendAsync("/v1/models", bearer: key.Key)
            : await SendAsync("/v1/models", apiKey: key.Key);

        var echo = await AssertReachedServiceAsync(response);
        var result = ServiceValidator.Validate(Assert.Single(echo.Header("X-Synaxis-Identity")));
        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(key.Verified.ApiKeyId, result.Identity.KeyId);
        Assert.Equal([ApiKeyScopes.Inference], result.Identity.Scopes);
        Assert.Equal(key.Verified.UserId, result.Identity.UserId);
        Assert.Equal(key.Verified.OrganizationId, result.Identity.OrganizationId);
        Assert.Equal(OrganizationRoles.Member, result.Identity.Role);
        Assert.Equal([key.Verified.GroupId!.Value], result.Identity.GroupIds);
        var requestId = Assert.Single(response.Headers.GetValues("x-request-id"));
        Assert.Equal(requestId, Assert.Single(echo.Header("x-request-id")));
        // The key itself stays at the edge.
        Assert.Empty(echo.Header("Authorization"));
        Assert.Empty(echo.Header("x-api-key"));

        // Keys saw the gateway's own signed identity, with the internal scope and the same request id.
        Assert.Equal(1, Keys.CallsFor(key.KeyId));
        var internalCall = Keys.LastIdentity!.Value;
        Assert.True(internalCall.IsValid, internalCall.FailureReason);
        Assert.Equal([SynaxisPolicies.InternalScope], internalCall.Identity.Scopes);
        Assert.Null(internalCall.Identity.UserId);
        Assert.Equal(requestId, Keys.LastRequestId);
    }

    [Fact]
    public async Task A_key_s_requests_share_one_signed_identity_and_each_keeps_its_own_request_id()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);
        var other = Keys.Register([ApiKeyScopes.Inference]);

        var identities = new List<string>();
        var requestIds = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            if (i == 2)
            {
                // Into another second: a value signed per request would now carry another issue time.
                await Task.Delay(TimeSpan.FromSeconds(1.1));
            }
            using var response = await SendAsync("/v1/models", bearer: key.Key);
            var echo = await AssertReachedServiceAsync(response);
            identities.Add(Assert.Single(echo.Header("X-Synaxis-Identity")));
            Assert.True(requestIds.Add(Assert.Single(echo.Header("x-request-id"))));
        }
        using var otherResponse = await SendAsync("/v1/models", bearer: other.Key);
        var otherIdentity = Assert.Single((await AssertReachedServiceAsync(otherResponse)).Header("X-Synaxis-Identity"));

        // Signed once for the key (the test runs well within half the identity's lifetime), never shared with another key.
        Assert.Single(identities.Distinct());
        Assert.NotEqual(identities[0], otherIdentity);
        var result = ServiceValidator.Validate(identities[0]);
        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(key.Verified.ApiKeyId, result.Identity.KeyId);
        Assert.Equal(other.Verified.ApiKeyId, ServiceValidator.Validate(otherIdentity).Identity?.KeyId);
    }

    [Fact]
    public async Task A_verified_key_is_not_verified_again_by_this_gateway_or_another_on_the_same_redis()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);

        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync("/v1/chat/completions", bearer: key.Key);
            await AssertReachedServiceAsync(response);
        }
        var other = fixture.StartGateway();
        using (var fromOther = await SendAsync(other, "/v1/models", apiKey: key.Key))
        {
            await AssertReachedServiceAsync(fromOther);
        }

        Assert.Equal(1, Keys.CallsFor(key.KeyId));
    }

    [Fact]
    public async Task Concurrent_first_requests_with_one_key_share_one_verification()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);
        Keys.Delay = TimeSpan.FromMilliseconds(300);
        try
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendAsync("/v1/models", bearer: key.Key)));
            foreach (var response in responses)
            {
                using (response)
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }
        }
        finally
        {
            Keys.Delay = TimeSpan.Zero;
        }
        Assert.Equal(1, Keys.CallsFor(key.KeyId));
    }

    [Fact]
    public async Task An_unknown_key_answers_401_in_the_openai_envelope_on_v1_and_as_problem_details_on_api()
    {
        var unknown = ApiKeyFormat.Generate().Key;

        using var inference = await SendAsync("/v1/chat/completions", bearer: unknown);
        await AssertOpenAIErrorAsync(inference, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");

        using var admin = await SendAsync("/api/keys/x", apiKey: unknown);
        var problem = await AssertProblemAsync(admin, HttpStatusCode.Unauthorized);
        Assert.Equal("Unauthorized", problem.GetProperty("title").GetString());

        // Refused from the cache the second time: one verification for the two requests.
        Assert.Equal(1, Keys.CallsFor(ApiKeyFormat.TryParse(unknown, out var id) ? id.ToString() : ""));
    }

    [Fact]
    public async Task Wrong_secrets_for_a_real_id_reach_bcrypt_at_most_the_limit_then_answer_429()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var attempt = 0; attempt < FailureLimitPerKey + 5; attempt++)
        {
            var response = await SendAsync("/v1/chat/completions", bearer: key.WithWrongSecret());
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited?.Dispose();
                limited = response;
            }
            else
            {
                await AssertOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
                response.Dispose();
            }
        }

        Assert.True(Keys.CallsFor(key.KeyId) <= FailureLimitPerKey, $"{Keys.CallsFor(key.KeyId)} verifications");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, FailureLimitPerKey), statuses.Take(FailureLimitPerKey));
        Assert.All(statuses.Skip(FailureLimitPerKey), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        using (limited)
        {
            await AssertOpenAIErrorAsync(limited!, HttpStatusCode.TooManyRequests, "rate_limit_exceeded", "rate_limit_exceeded");
            var retryAfter = int.Parse(Assert.Single(limited!.Headers.GetValues("retry-after")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
        }
    }

    [Fact]
    public async Task A_concurrent_flood_of_wrong_secrets_still_reaches_bcrypt_at_most_the_limit()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => SendAsync("/v1/models", apiKey: key.WithWrongSecret())));

        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests });
            }
        }
        Assert.InRange(Keys.CallsFor(key.KeyId), 1, FailureLimitPerKey);
        Assert.Contains(responses, response => response.StatusCode == HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Wrong_secrets_for_a_key_verified_before_are_refused_without_bcrypt()
    {
        var key = Keys.Register([ApiKeyScopes.Inference, ApiKeyScopes.Admin]);
        using (var valid = await SendAsync("/api/keys/x", bearer: key.Key))
        {
            await AssertReachedServiceAsync(valid);
        }

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < FailureLimitPerKey + 2; attempt++)
        {
            using var response = await SendAsync("/api/keys/x", bearer: key.WithWrongSecret());
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await AssertProblemAsync(response, HttpStatusCode.TooManyRequests);
                Assert.True(response.Headers.Contains("retry-after"));
            }
            else
            {
                await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
            }
        }

        Assert.Equal(1, Keys.CallsFor(key.KeyId));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Failures_from_one_address_are_limited_across_key_ids()
    {
        const int limit = 3;
        await fixture.RedisClient.GetDatabase().KeyDeleteAsync(ApiKeyRedisKeys.FailuresByAddress("127.0.0.1"));
        var gateway = fixture.StartGateway(new Dictionary<string, string?> { ["ApiKeys:FailureLimitPerAddress"] = limit.ToString() });
        var callsBefore = Keys.Calls;

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < limit + 3; attempt++)
        {
            using var response = await SendAsync(gateway, "/v1/models", bearer: ApiKeyFormat.Generate().Key);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, limit), statuses.Take(limit));
        Assert.All(statuses.Skip(limit), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        Assert.Equal(limit, Keys.Calls - callsBefore);
        await fixture.RedisClient.GetDatabase().KeyDeleteAsync(ApiKeyRedisKeys.FailuresByAddress("127.0.0.1"));
    }

    /// <summary>What the Keys service does on revocation: DEL the shared entry, then PUBLISH the key id.</summary>
    private async Task PublishEvictionAsync(TestApiKey key)
    {
        var database = fixture.RedisClient.GetDatabase();
        await database.KeyDeleteAsync(ApiKeyRedisKeys.Verified(key.KeyId));
        await fixture.RedisClient.GetSubscriber().PublishAsync(RedisChannel.Literal(ApiKeyRedisKeys.EvictionChannel), key.KeyId);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_by_every_gateway_within_a_second()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);
        var second = fixture.StartGateway();
        foreach (var gateway in new[] { fixture.Gateway, second })
        {
            using var response = await SendAsync(gateway, "/v1/models", bearer: key.Key);
            await AssertReachedServiceAsync(response);
        }
        Assert.Equal(1, Keys.CallsFor(key.KeyId));

        Keys.Revoke(key);
        await PublishEvictionAsync(key);

        foreach (var gateway in new[] { fixture.Gateway, second })
        {
            await EventuallyAsync(async () =>
            {
                using var response = await SendAsync(gateway, "/v1/models", bearer: key.Key);
                return response.StatusCode == HttpStatusCode.Unauthorized;
            }, TimeSpan.FromSeconds(1), "the revoked key is refused");
        }
        using var refused = await SendAsync("/v1/models", bearer: key.Key);
        var error = await AssertOpenAIErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
        Assert.Contains("revoked", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_eviction_makes_the_next_request_verify_again()
    {
        var key = Keys.Register([ApiKeyScopes.Inference], role: OrganizationRoles.Admin);
        using (var first = await SendAsync("/v1/models", bearer: key.Key))
        {
            await AssertReachedServiceAsync(first);
        }

        await PublishEvictionAsync(key);

        await EventuallyAsync(async () =>
        {
            using var response = await SendAsync("/v1/models", bearer: key.Key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return Keys.CallsFor(key.KeyId) == 2;
        }, TimeSpan.FromSeconds(1), "the key is verified again");
    }

    [Fact]
    public async Task An_expired_key_is_refused_even_from_the_cache()
    {
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(2.5);
        var key = Keys.Register([ApiKeyScopes.Inference], expiresAt: expiresAt);
        using (var beforeExpiry = await SendAsync("/v1/models", bearer: key.Key))
        {
            await AssertReachedServiceAsync(beforeExpiry);
        }

        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100));

        using var afterExpiry = await SendAsync("/v1/models", bearer: key.Key);
        var error = await AssertOpenAIErrorAsync(afterExpiry, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
        Assert.Contains("expired", error.GetProperty("message").GetString());
        Assert.Equal(1, Keys.CallsFor(key.KeyId));
    }

    [Fact]
    public async Task A_key_the_keys_service_calls_expired_is_refused()
    {
        var key = Keys.Register([ApiKeyScopes.Inference], expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));

        using var response = await SendAsync("/v1/models", bearer: key.Key);

        await AssertOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
    }

    [Fact]
    public async Task An_inference_only_key_is_forbidden_on_the_admin_apis()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);

        using var response = await SendAsync("/api/keys/x", bearer: key.Key);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("admin", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_admin_only_key_is_forbidden_on_inference_and_allowed_on_the_admin_apis()
    {
        var key = Keys.Register([ApiKeyScopes.Admin], role: OrganizationRoles.Owner);

        using var inference = await SendAsync("/v1/chat/completions", apiKey: key.Key);
        await AssertOpenAIErrorAsync(inference, HttpStatusCode.Forbidden, "invalid_request_error", "permission_denied");

        using var admin = await SendAsync("/api/routing/providers", apiKey: key.Key);
        var echo = await AssertReachedServiceAsync(admin);
        var identity = ServiceValidator.Validate(Assert.Single(echo.Header("X-Synaxis-Identity"))).Identity!;
        Assert.Equal([ApiKeyScopes.Admin], identity.Scopes);
        Assert.Equal(OrganizationRoles.Owner, identity.Role);
    }

    public static TheoryData<string, string?, string?> MalformedCredentials() => new()
    {
        { "too short", "synaxis_x", null },
        { "10 KB", null, "synaxis_" + new string('a', 10 * 1024) },
        { "not Base62", null, "synaxis_" + new string('-', Base62.EncodedLength) + "_" + new string('a', Base62.EncodedLength) },
        { "part above 2^256", "synaxis_" + new string('z', Base62.EncodedLength) + "_" + new string('a', Base62.EncodedLength), null },
        { "two different keys", ApiKeyFormat.Generate().Key, ApiKeyFormat.Generate().Key },
        { "an API key and an access token", new TestTokens().Mint(), ApiKeyFormat.Generate().Key },
        { "empty x-api-key", null, "" },
    };

    [Theory]
    [MemberData(nameof(MalformedCredentials))]
    public async Task A_malformed_or_ambiguous_credential_answers_401_without_asking_keys(string why, string? bearer, string? apiKey)
    {
        var callsBefore = Keys.Calls;

        using var response = await SendAsync("/v1/models", bearer, apiKey);

        await AssertOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
        Assert.True(Keys.Calls == callsBefore, why);
    }

    [Fact]
    public async Task Inference_without_any_credential_answers_401_in_the_openai_envelope()
    {
        using var response = await SendAsync("/v1/chat/completions");

        var error = await AssertOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
        Assert.Contains("API key", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_invalid_access_token_on_inference_answers_401_in_the_openai_envelope()
    {
        using var response = await SendAsync("/v1/models", bearer: new TestTokens().Mint(key: "some-other-signing-key-0123456789-abcdefghij"));

        await AssertOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
    }

    [Fact]
    public async Task A_keys_service_outage_answers_503_after_one_call_and_caches_nothing()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);
        var callsBefore = Keys.Calls;
        Keys.FailWith = 500;
        try
        {
            using var response = await SendAsync("/v1/models", bearer: key.Key);
            await AssertOpenAIErrorAsync(response, HttpStatusCode.ServiceUnavailable, "server_error", "service_unavailable");
            Assert.Equal(1, Keys.Calls - callsBefore); // no retry pipeline on this client
        }
        finally
        {
            Keys.FailWith = null;
        }

        using var afterwards = await SendAsync("/v1/models", bearer: key.Key);
        await AssertReachedServiceAsync(afterwards);
    }

    [Fact]
    public async Task The_last_use_of_a_key_reaches_the_sorted_set_after_a_flush()
    {
        var key = Keys.Register([ApiKeyScopes.Inference]);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using (var response = await SendAsync("/v1/models", bearer: key.Key))
        {
            await AssertReachedServiceAsync(response);
        }

        double? score = null;
        await EventuallyAsync(async () =>
        {
            score = await fixture.RedisClient.GetDatabase().SortedSetScoreAsync(ApiKeyRedisKeys.LastUsed, key.KeyId);
            return score is not null;
        }, TimeSpan.FromSeconds(5), "the key id is in synaxis:keys:lastused");
        Assert.InRange(score!.Value, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }
}
