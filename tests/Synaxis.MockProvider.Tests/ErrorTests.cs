using System.Net;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

/// <summary>Every refusal is OpenAI's envelope with the right status, never a 500 or an empty body.</summary>
[Collection(MockProviderCollection.Name)]
public sealed class ErrorTests(MockProviderFixture fixture)
{
    [Theory]
    [InlineData("{\"model\":\"m\",")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"model":"m","messages":"hello"}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":"many"}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":42}]}""")]
    public async Task Malformed_json_is_a_400_envelope(string body)
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ReadErrorAsync("invalid_request_error");
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "model")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"x"}]}""", "model")]
    [InlineData("""{"model":"m"}""", "messages")]
    [InlineData("""{"model":"m","messages":[]}""", "messages")]
    [InlineData("""{"model":"m","messages":[{"content":"x"}]}""", "messages[0].role")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"n":3}""", "n")]
    public async Task Missing_or_invalid_fields_are_a_400_naming_the_parameter(string body, string param)
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync("invalid_request_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("/v1/models/no-such-model")]
    [InlineData("/v1/models/org/no-such-model")]
    public async Task Unknown_model_is_a_404_model_not_found(string path)
    {
        using var response = await fixture.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await response.ReadErrorAsync("invalid_request_error");
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unknown_path_or_method_is_a_404_envelope()
    {
        using var unknownPath = await fixture.Http.SendAsync(Requests.Post("/v1/nothing-here", "{}"));
        using var wrongMethod = await fixture.Http.DeleteAsync("/v1/chat/completions");

        Assert.Equal(HttpStatusCode.NotFound, unknownPath.StatusCode);
        Assert.Contains("POST /v1/nothing-here", (await unknownPath.ReadErrorAsync("invalid_request_error")).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, wrongMethod.StatusCode);
        await wrongMethod.ReadErrorAsync("invalid_request_error");
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        using var health = await fixture.Http.GetAsync("/health");
        using var alive = await fixture.Http.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}
