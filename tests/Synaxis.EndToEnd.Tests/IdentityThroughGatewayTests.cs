using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Synaxis.EndToEnd.Tests;

/// <summary>Register, log in and read /me as a client would: through the gateway, with a bearer token.</summary>
[Collection(SynaxisAppCollection.Name)]
public sealed class IdentityThroughGatewayTests(SynaxisAppFixture fixture)
{
    [Fact]
    public async Task Register_login_and_me_work_through_the_gateway()
    {
        using var client = fixture.CreateGatewayClient();
        var email = $"e2e-{Guid.NewGuid():N}@example.test";

        using var register = await client.PostAsJsonAsync("/api/identity/auth/register", new
        {
            email,
            password = "correct horse battery staple",
            displayName = "End To End",
            organizationName = "E2E Org",
        });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);

        using var login = await client.PostAsJsonAsync("/api/identity/auth/login", new { email, password = "correct horse battery staple" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var tokens = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        var accessToken = tokens.RootElement.GetProperty("accessToken").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var me = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.True(me.Headers.Contains("x-request-id"));
        using var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        Assert.Equal(email, body.RootElement.GetProperty("email").GetString());
        var membership = body.RootElement.GetProperty("memberships")[0];
        Assert.Equal("E2E Org", membership.GetProperty("organizationName").GetString());
        Assert.Equal("Owner", membership.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Admin_apis_without_a_token_answer_401_problem_details_even_with_a_forged_identity_header()
    {
        using var client = fixture.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/me");
        request.Headers.Add("X-Synaxis-Identity", "eyJzdWIiOiJmb3JnZWQifQ.c2lnbmF0dXJl");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
