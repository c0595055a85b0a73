using System.Net;
using System.Net.Http.Json;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>
/// An <c>access_token</c> query parameter never travels past the gateway, whatever the route and whether or not it
/// authenticated the request (it would land in the service's request logs).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class QueryAccessTokenTests(GatewayFixture fixture)
{
    [Theory]
    [InlineData("/api/identity/auth/login?access_token=secret-token&x=1")]
    [InlineData("/api/identity/auth/login?ACCESS_TOKEN=secret-token&x=1")]
    public async Task An_anonymous_route_does_not_forward_it(string path)
    {
        using var client = fixture.CreateClient();
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
        Assert.Equal("/api/identity/auth/login", echo!.Path);
        Assert.DoesNotContain("secret-token", echo.Query, StringComparison.Ordinal);
        Assert.Contains("x=1", echo.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_request_authenticated_by_header_does_not_forward_it_either()
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hubs/events?access_token=ignored-token&id=abc");
        request.Headers.Authorization = new("Bearer", new TestTokens().Mint());
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions);
        Assert.Single(echo!.Header("X-Synaxis-Identity"));
        Assert.DoesNotContain("ignored-token", echo.Query, StringComparison.Ordinal);
        Assert.Contains("id=abc", echo.Query, StringComparison.Ordinal);
    }
}
