using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class InternalIdentityForwardingTests(GatewayFixture fixture)
{
    private static readonly InternalIdentityValidator ServiceValidator = new(
        Options.Create(new InternalIdentityOptions { SigningKey = TestTokens.InternalKey }), TimeProvider.System);

    /// <summary>What a client might send to impersonate someone, signed with a key it guessed.</summary>
    private static readonly string ForgedIdentity = new InternalIdentitySigner(
            Options.Create(new InternalIdentityOptions { SigningKey = "attacker-guessed-key-0123456789-abcdefghijkl" }), TimeProvider.System)
        .Sign(new CallerIdentity { OrganizationId = Guid.NewGuid(), Role = OrganizationRoles.Owner });

    private async Task<(HttpResponseMessage Response, EchoedRequest Echo)> SendAsync(
        HttpMethod method, string path, string? token = null, Action<HttpRequestHeaders>? headers = null)
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            // Inference bodies are read by admission at the gateway: they must be requests it can read.
            request.Content = path.StartsWith("/v1/", StringComparison.Ordinal)
                ? JsonContent.Create(new { model = "mock-small", messages = new[] { new { role = "user", content = "hi" } } })
                : JsonContent.Create(new { email = "a@example.com", password = "x" });
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        headers?.Invoke(request.Headers);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
        return (response, echo!);
    }

    private static void Forge(HttpRequestHeaders headers)
    {
        headers.TryAddWithoutValidation("X-Synaxis-Identity", ForgedIdentity);
        headers.TryAddWithoutValidation("x-synaxis-organization", Guid.NewGuid().ToString());
        headers.TryAddWithoutValidation("X-SYNAXIS-ROLE", "Owner");
    }

    [Theory]
    [InlineData("/api/identity/auth/login")]
    [InlineData("/api/identity/auth/register")]
    [InlineData("/api/identity/auth/refresh")]
    [InlineData("/api/identity/auth/logout")]
    public async Task Anonymous_sign_in_reaches_identity_without_any_internal_header(string path)
    {
        var (response, echo) = await SendAsync(HttpMethod.Post, path, headers: Forge);
        using (response)
        {
            Assert.Equal(path, echo.Path);
            Assert.False(echo.HasHeaderStartingWith("X-Synaxis-"), "a client-sent internal header reached the service");
            Assert.Single(echo.Header("x-request-id"));
        }
    }

    [Fact]
    public async Task Inference_replaces_forged_internal_headers_with_the_callers_signed_identity()
    {
        var tokens = new TestTokens();
        var (response, echo) = await SendAsync(HttpMethod.Post, "/v1/chat/completions", tokens.Mint(), Forge);
        using (response)
        {
            var identity = Assert.Single(echo.Header("X-Synaxis-Identity"));
            Assert.NotEqual(ForgedIdentity, identity);
            Assert.Empty(echo.Header("x-synaxis-organization"));
            Assert.Empty(echo.Header("x-synaxis-role"));
            Assert.Equal(tokens.OrganizationId, ServiceValidator.Validate(identity).Identity?.OrganizationId);
        }
    }

    [Fact]
    public async Task An_authenticated_caller_is_forwarded_as_a_freshly_signed_identity_replacing_a_forged_one()
    {
        var tokens = new TestTokens { Role = "Admin" };
        var (response, echo) = await SendAsync(HttpMethod.Get, "/api/keys/x", tokens.Mint(), Forge);
        using (response)
        {
            var identity = Assert.Single(echo.Header("X-Synaxis-Identity"));
            Assert.NotEqual(ForgedIdentity, identity);
            Assert.Empty(echo.Header("x-synaxis-organization"));
            Assert.Empty(echo.Header("x-synaxis-role"));

            var result = ServiceValidator.Validate(identity);
            Assert.True(result.IsValid, result.FailureReason);
            Assert.Equal(tokens.UserId, result.Identity.UserId);
            Assert.Equal(tokens.OrganizationId, result.Identity.OrganizationId);
            Assert.Equal("Admin", result.Identity.Role);
            Assert.Equal(tokens.Groups, result.Identity.GroupIds);
            Assert.Null(result.Identity.KeyId);
            Assert.True(result.ExpiresAt - result.IssuedAt <= TimeSpan.FromSeconds(60));

            // One request id everywhere: the response and the proxied header (the signed identity names the caller only).
            var requestId = Assert.Single(response.Headers.GetValues("x-request-id"));
            Assert.Equal(requestId, Assert.Single(echo.Header("x-request-id")));
            Assert.Null(result.Identity.RequestId);

            // The access token stays at the edge.
            Assert.Empty(echo.Header("Authorization"));
        }
    }

    [Fact]
    public async Task An_access_token_on_inference_is_forwarded_as_the_caller_identity()
    {
        var tokens = new TestTokens();
        var (response, echo) = await SendAsync(HttpMethod.Get, "/v1/models", tokens.Mint());
        using (response)
        {
            var result = ServiceValidator.Validate(Assert.Single(echo.Header("X-Synaxis-Identity")));
            Assert.True(result.IsValid, result.FailureReason);
            Assert.Equal(tokens.OrganizationId, result.Identity.OrganizationId);
        }
    }

    [Fact]
    public async Task A_sane_client_request_id_is_kept()
    {
        const string requestId = "client-Req_01.abc";
        var (response, echo) = await SendAsync(HttpMethod.Get, "/api/keys/x", new TestTokens().Mint(),
            headers => headers.Add("x-request-id", requestId));
        using (response)
        {
            Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("x-request-id")));
            Assert.Equal(requestId, Assert.Single(echo.Header("x-request-id")));
            Assert.True(ServiceValidator.Validate(echo.Header("X-Synaxis-Identity")[0]).IsValid);
        }
    }

    [Theory]
    [InlineData("has spaces in it")]
    [InlineData("semi;colon")]
    [InlineData("%0d%0aSet-Cookie:x")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task An_unsafe_client_request_id_is_replaced(string requestId)
    {
        var (response, echo) = await SendAsync(HttpMethod.Get, "/api/keys/x", new TestTokens().Mint(),
            headers => headers.TryAddWithoutValidation("x-request-id", requestId));
        using (response)
        {
            var issued = Assert.Single(response.Headers.GetValues("x-request-id"));
            Assert.NotEqual(requestId, issued);
            Assert.Matches("^[A-Za-z0-9_.-]{1,64}$", issued);
            Assert.Equal(issued, Assert.Single(echo.Header("x-request-id")));
        }
    }

    [Fact]
    public async Task Two_client_request_ids_are_replaced_by_one()
    {
        var (response, echo) = await SendAsync(HttpMethod.Get, "/api/identity/auth/login", headers: headers =>
        {
            headers.TryAddWithoutValidation("x-request-id", "one");
            headers.TryAddWithoutValidation("x-request-id", "two");
        });
        using (response)
        {
            var issued = Assert.Single(response.Headers.GetValues("x-request-id"));
            Assert.NotEqual("one", issued);
            Assert.Equal(issued, Assert.Single(echo.Header("x-request-id")));
        }
    }

    [Theory]
    [InlineData("/api/identity/auth/../me")]
    [InlineData("/api/identity/auth/%2e%2e/me")]
    [InlineData("/api/identity/auth/%2E%2E/me")]
    [InlineData("/api/identity/auth/./../me")]
    [InlineData("/api/identity/auth/..%2fme")]
    [InlineData("/api/identity/auth/%2e%2e%2fme")]
    [InlineData("/api/identity/auth%2f..%2fme")]
    public async Task Dot_segments_cannot_climb_out_of_the_anonymous_sign_in_route(string path)
    {
        using var client = fixture.CreateClient();
        // Sent as written: HttpClient would otherwise resolve '..' itself.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(
            client.BaseAddress!.GetLeftPart(UriPartial.Authority) + path,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        using var response = await client.SendAsync(request);

        if (response.StatusCode == HttpStatusCode.OK)
        {
            var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
            // The service decodes the path once; no segment may then be a dot segment.
            Assert.StartsWith("/api/identity/auth/", echo!.Path);
            Assert.DoesNotContain(echo.Path.Split('/'), segment => Uri.UnescapeDataString(segment) is "." or "..");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
