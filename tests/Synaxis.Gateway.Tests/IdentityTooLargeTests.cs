using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;

namespace Synaxis.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class IdentityTooLargeTests(GatewayFixture fixture)
{
    /// <summary>300 group ids: the signed internal identity would exceed the 8 KB every service accepts.</summary>
    private static string TokenWithManyGroups() => new TestTokens().Mint(
        extraClaims: Enumerable.Range(0, 298).Select(_ => new Claim("groups", Guid.NewGuid().ToString())));

    private async Task<HttpResponseMessage> SendAsync(string path)
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenWithManyGroups());
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task A_token_with_too_many_groups_answers_431_problem_details_on_api()
    {
        using var response = await SendAsync("/api/keys/x");

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(431, problem.GetProperty("status").GetInt32());
        Assert.Contains("too many groups", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_with_too_many_groups_answers_431_in_the_openai_envelope_on_v1()
    {
        using var response = await SendAsync("/v1/models");

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("identity_too_large", error.GetProperty("code").GetString());
        Assert.Contains("too many groups", error.GetProperty("message").GetString());
    }
}
