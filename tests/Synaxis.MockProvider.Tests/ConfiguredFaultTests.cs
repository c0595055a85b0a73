using System.Net;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

public sealed class RateLimitedMockProviderFactory() : MockProviderFactory(new Dictionary<string, string?>
{
    ["MockProvider:Faults:Fault"] = "rate-limit",
    ["MockProvider:Faults:RetryAfterSeconds"] = "3",
    ["MockProvider:Models:0"] = "only-model",
    ["MockProvider:StrictModels"] = "true",
});

/// <summary>Faults for the whole process come from <c>MockProvider:Faults</c>; a request header wins over them.</summary>
public sealed class ConfiguredFaultTests(RateLimitedMockProviderFactory factory) : IClassFixture<RateLimitedMockProviderFactory>
{
    [Fact]
    public async Task Configured_fault_applies_to_requests_without_headers()
    {
        using var client = factory.CreateHttpClient();
        using var response = await client.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(model: "only-model")));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_request_header_wins_over_the_configured_fault()
    {
        using var client = factory.CreateHttpClient();
        using var none = await client.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(model: "only-model"), ("x-mock-fault", "none")));
        using var other = await client.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(model: "only-model"), ("x-mock-fault", "server-error")));

        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, other.StatusCode);
    }

    [Fact]
    public async Task Configured_models_replace_the_defaults_and_strict_mode_refuses_others()
    {
        using var client = factory.CreateHttpClient();
        using var models = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "x-mock-fault", "none" } } });
        using var unknown = await client.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(model: "mock-chat"), ("x-mock-fault", "none")));

        var ids = (await models.ReadJsonAsync()).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString());
        Assert.Equal(["only-model"], ids);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", (await unknown.ReadErrorAsync("invalid_request_error")).GetProperty("code").GetString());
    }
}

public sealed class FlakyMockProviderFactory() : MockProviderFactory(new Dictionary<string, string?>
{
    ["MockProvider:Faults:ErrorRate"] = "0.5",
    ["MockProvider:Faults:Seed"] = "7",
});

public sealed class ErrorRateTests(FlakyMockProviderFactory factory) : IClassFixture<FlakyMockProviderFactory>
{
    [Fact]
    public async Task Error_rate_fails_a_share_of_requests_and_headers_opt_out()
    {
        using var client = factory.CreateHttpClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 60; i++)
        {
            using var response = await client.GetAsync("/v1/models");
            statuses.Add(response.StatusCode);
        }

        using var optedOut = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "x-mock-fault", "none" } } });

        Assert.Equal(statuses.Count, statuses.Count(s => s is HttpStatusCode.OK or HttpStatusCode.InternalServerError));
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.InternalServerError), 10, 50);
        Assert.Equal(HttpStatusCode.OK, optedOut.StatusCode);
    }
}
