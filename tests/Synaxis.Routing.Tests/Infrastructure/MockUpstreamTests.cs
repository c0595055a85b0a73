using System.Net;

namespace Synaxis.Routing.Tests.Infrastructure;

public sealed class MockUpstreamTests
{
    [Fact]
    public async Task The_mock_upstream_serves_the_openai_models_list()
    {
        await using var upstream = new MockUpstream();
        using var client = new HttpClient { BaseAddress = upstream.BaseAddress };
        using var response = await client.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"object\":\"list\"", (await response.Content.ReadAsStringAsync()).Replace(" ", "", StringComparison.Ordinal));
    }
}
