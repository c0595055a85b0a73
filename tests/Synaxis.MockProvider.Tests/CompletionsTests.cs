using System.Net;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

[Collection(MockProviderCollection.Name)]
public sealed class CompletionsTests(MockProviderFixture fixture)
{
    [Fact]
    public async Task Legacy_completion_answers_a_text_completion_with_usage()
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/completions", """{"model":"mock-text","prompt":"Once upon a time"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString());
        Assert.Equal("mock-text", body.GetProperty("model").GetString());
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.StartsWith("Mock reply to: Once upon a time", choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        // No chat framing for a plain prompt: ceil(16 / 4).
        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Array_of_prompts_gets_one_choice_each_and_summed_usage()
    {
        using var response = await fixture.Http.SendAsync(
            Requests.Post("/v1/completions", """{"model":"m","prompt":["first prompt","second"],"max_tokens":3}"""));

        var body = await response.ReadJsonAsync();
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal(2, choices.Count);
        Assert.Equal([0, 1], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => Assert.Equal("length", c.GetProperty("finish_reason").GetString()));
        var usage = body.GetProperty("usage");
        Assert.Equal(3 + 2, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(choices.Sum(c => (c.GetProperty("text").GetString()!.Length + 3) / 4), usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Streaming_legacy_completion_follows_the_same_sse_rules()
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/completions",
            """{"model":"m","prompt":"Stream a legacy answer","stream":true,"stream_options":{"include_usage":true}}"""));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var payloads = ServerSentEvents.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ServerSentEvents.Done, payloads[^1]);
        var chunks = ServerSentEvents.JsonPayloads(payloads);
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var streamed = string.Concat(chunks[..^1].Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.StartsWith("Mock reply to: Stream a legacy answer", streamed);
        Assert.Equal((streamed.Length + 3) / 4, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Missing_prompt_is_a_400()
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/completions", """{"model":"m"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync("invalid_request_error");
        Assert.Equal("prompt", error.GetProperty("param").GetString());
    }
}
