using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;

namespace Synaxis.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class GatewayAuthenticationTests(GatewayFixture fixture)
{
    private static async Task<JsonElement> AssertUnauthorizedProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, value => value.Scheme == "Bearer");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("Unauthorized", problem.GetProperty("title").GetString());
        return problem;
    }

    private async Task<HttpResponseMessage> GetWithTokenAsync(string path, string? token)
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData("/api/keys/x")]
    [InlineData("/api/identity/me")]
    [InlineData("/api/ratelimits/policies")]
    [InlineData("/api/routing/providers")]
    [InlineData("/api/audit/logs")]
    [InlineData("/hubs/events")]
    public async Task Protected_routes_without_a_token_answer_401_problem_details(string path)
    {
        using var response = await GetWithTokenAsync(path, token: null);

        var problem = await AssertUnauthorizedProblemAsync(response);
        Assert.Contains("access token is required", problem.GetProperty("detail").GetString());
        Assert.True(response.Headers.Contains("x-request-id"));
    }

    public static TheoryData<string, string> BadTokens()
    {
        var tokens = new TestTokens();
        return new TheoryData<string, string>
        {
            { "alg none", tokens.MintUnsigned() },
            { "wrong key", tokens.Mint(key: "some-other-signing-key-0123456789-abcdefghij") },
            { "wrong audience", tokens.Mint(audience: "someone-else") },
            { "wrong issuer", tokens.Mint(issuer: "https://evil.example") },
            { "no organization", tokens.Mint(withOrganization: false) },
            { "garbage", "not.a.jwt" },
            { "internal key", tokens.Mint(key: TestTokens.InternalKey) },
            { "claims the internal scope", tokens.Mint(extraClaims: [new Claim("scope", "internal")]) },
            { "claims an API key", tokens.Mint(extraClaims: [new Claim("key_id", Guid.NewGuid().ToString())]) },
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_answers_401_invalid(string why, string token)
    {
        using var response = await GetWithTokenAsync("/api/keys/x", token);

        var problem = await AssertUnauthorizedProblemAsync(response);
        Assert.True(problem.GetProperty("detail").GetString()!.Contains("invalid", StringComparison.Ordinal), why);
    }

    [Fact]
    public async Task An_expired_token_answers_401_saying_it_expired()
    {
        var token = new TestTokens().Mint(expires: DateTime.UtcNow.AddMinutes(-5));
        using var response = await GetWithTokenAsync("/api/keys/x", token);

        var problem = await AssertUnauthorizedProblemAsync(response);
        Assert.Contains("expired", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_valid_token_reaches_the_service()
    {
        using var response = await GetWithTokenAsync("/api/keys/x", new TestTokens().Mint());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
        Assert.Equal("/api/keys/x", echo!.Path);
    }

    [Fact]
    public async Task A_hub_connection_is_authenticated_by_the_access_token_query_parameter()
    {
        var token = new TestTokens().Mint();
        using var response = await GetWithTokenAsync($"/hubs/events?access_token={token}&id=abc", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
        Assert.Equal("/hubs/events", echo!.Path);
        Assert.Single(echo.Header("X-Synaxis-Identity"));
        // The token stays at the edge: the service gets the signed identity instead.
        Assert.DoesNotContain("access_token", echo.Query);
        Assert.Contains("id=abc", echo.Query);
    }

    [Fact]
    public async Task The_access_token_query_parameter_is_only_honoured_for_hubs()
    {
        var token = new TestTokens().Mint();
        using var response = await GetWithTokenAsync($"/api/keys/x?access_token={token}", token: null);

        await AssertUnauthorizedProblemAsync(response);
    }

    [Fact]
    public async Task Health_alive_and_unknown_paths_stay_anonymous()
    {
        using var client = fixture.CreateClient();
        using var alive = await client.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        using var unknown = await client.GetAsync("/no/such/thing");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.True(unknown.Headers.Contains("x-request-id"));
    }

    [Fact]
    public async Task Inference_requires_a_credential_and_answers_in_the_openai_envelope()
    {
        using var response = await GetWithTokenAsync("/v1/models", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_valid_token_is_accepted_on_inference()
    {
        using var response = await GetWithTokenAsync("/v1/models", new TestTokens().Mint());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
        Assert.Equal("/v1/models", echo!.Path);
        Assert.Single(echo.Header("X-Synaxis-Identity"));
    }
}
