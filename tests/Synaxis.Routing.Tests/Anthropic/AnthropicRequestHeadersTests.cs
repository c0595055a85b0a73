using Synaxis.Routing.Upstream.Anthropic;

namespace Synaxis.Routing.Tests.Anthropic;

public sealed class AnthropicRequestHeadersTests
{
    [Fact]
    public void Apply_sets_the_key_the_version_accept_and_the_content_type()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
        {
            Content = new ByteArrayContent("{}"u8.ToArray()),
        };
        AnthropicRequestHeaders.Apply(request, "sk-ant-123");
        Assert.Equal(["sk-ant-123"], request.Headers.GetValues("x-api-key"));
        Assert.Equal(["2023-06-01"], request.Headers.GetValues("anthropic-version"));
        Assert.Equal("application/json", Assert.Single(request.Headers.Accept).MediaType);
        Assert.Equal("application/json", request.Content.Headers.ContentType?.MediaType);
        Assert.False(request.Headers.Contains("anthropic-beta"));
        Assert.False(request.Headers.Contains("Authorization"));
    }

    [Fact]
    public void Apply_replaces_earlier_values_and_asks_for_sse_when_streaming()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages");
        request.Headers.Add("x-api-key", "old");
        request.Headers.Add("anthropic-version", "1999-01-01");
        request.Headers.Add("Accept", "text/plain");
        AnthropicRequestHeaders.Apply(request, "new", stream: true, anthropicBeta: "prompt-caching-2024-07-31");
        Assert.Equal(["new"], request.Headers.GetValues("x-api-key"));
        Assert.Equal(["2023-06-01"], request.Headers.GetValues("anthropic-version"));
        Assert.Equal(["prompt-caching-2024-07-31"], request.Headers.GetValues("anthropic-beta"));
        Assert.Equal("text/event-stream", Assert.Single(request.Headers.Accept).MediaType);
        Assert.Null(request.Content);
    }

    [Fact]
    public void A_key_with_a_line_break_is_refused_and_an_empty_one_is_a_programming_error()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages");
        Assert.ThrowsAny<FormatException>(() => AnthropicRequestHeaders.Apply(request, "key\r\nx-evil: 1"));
        Assert.ThrowsAny<ArgumentException>(() => AnthropicRequestHeaders.Apply(request, " "));
    }

    [Fact]
    public async Task JsonContent_is_typed_application_json()
    {
        using var content = AnthropicRequestHeaders.JsonContent("{\"a\":1}"u8.ToArray());
        Assert.Equal("application/json", content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"a\":1}", await content.ReadAsStringAsync());
    }
}
