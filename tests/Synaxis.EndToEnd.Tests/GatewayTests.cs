using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Synaxis.EndToEnd.Tests;

[Collection(SynaxisAppCollection.Name)]
public sealed class GatewayTests(SynaxisAppFixture fixture)
{
    [Fact]
    public async Task Gateway_health_is_the_aggregate_of_every_service()
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var entries = report.RootElement.GetProperty("entries");
        foreach (var service in SynaxisAppFixture.Services)
        {
            Assert.True(entries.TryGetProperty(service, out var entry), $"the gateway's /health does not report '{service}'");
            Assert.Equal("Healthy", entry.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task An_unknown_path_answers_404_problem_details()
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.GetAsync("/no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("/no/such/thing", problem.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/identity/no-such-endpoint")]
    [InlineData("/api/keys/no-such-endpoint")]
    [InlineData("/api/ratelimits/no-such-endpoint")]
    [InlineData("/api/routing/no-such-endpoint")]
    [InlineData("/api/audit/no-such-endpoint")]
    public async Task Each_api_prefix_is_proxied_to_its_service(string path)
    {
        using var client = fixture.CreateGatewayClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.GetAccessTokenAsync());
        using var response = await client.GetAsync(path);

        // The service, not the gateway, answers: its ProblemDetails carries no gateway detail text.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(problem.RootElement.TryGetProperty("detail", out _), "the gateway answered instead of the service");
    }

    [Fact]
    public async Task An_unknown_inference_path_answers_in_openai_error_envelope()
    {
        using var client = fixture.CreateGatewayClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.GetAccessTokenAsync());
        using var response = await client.PostAsync("/v1/no-such-endpoint", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("Invalid URL (POST /v1/no-such-endpoint)", error.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("code").ValueKind);
    }

    [Fact]
    public async Task Inference_without_credentials_answers_401_invalid_api_key()
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.PostAsync("/v1/chat/completions", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
