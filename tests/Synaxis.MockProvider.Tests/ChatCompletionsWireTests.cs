using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

/// <summary>The bytes on the wire, which the gateway streams through untouched.</summary>
[Collection(MockProviderCollection.Name)]
public sealed class ChatCompletionsWireTests(MockProviderFixture fixture)
{
    [Fact]
    public async Task Non_streaming_answer_is_a_chat_completion_object()
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody("Ping the mock")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.True(body.GetProperty("created").GetInt64() > 1_600_000_000);
        Assert.Equal("mock-chat", body.GetProperty("model").GetString());
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.StartsWith("Mock reply to: Ping the mock", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(
            usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(),
            usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Same_request_gets_the_same_content_and_a_new_id()
    {
        var first = await ChatAsync(Requests.ChatBody("Determinism matters"));
        var second = await ChatAsync(Requests.ChatBody("Determinism matters"));
        var other = await ChatAsync(Requests.ChatBody("Something else entirely"));

        Assert.Equal(Content(first), Content(second));
        Assert.NotEqual(Content(first), Content(other));
        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Content_parts_are_read_as_text()
    {
        const string body = """
            {"model":"mock-chat","messages":[{"role":"user","content":[
              {"type":"text","text":"Describe"},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
              {"type":"text","text":"this picture"}]}]}
            """;

        var completion = await ChatAsync(body);

        Assert.StartsWith("Mock reply to: Describe this picture", Content(completion));
    }

    [Fact]
    public async Task Max_tokens_cuts_the_reply_with_finish_reason_length()
    {
        foreach (var field in new[] { "max_tokens", "max_completion_tokens" })
        {
            var completion = await ChatAsync($$"""{"model":"m","messages":[{"role":"user","content":"Write an essay"}],"{{field}}":4}""");

            var choice = completion.GetProperty("choices")[0];
            Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
            Assert.InRange(completion.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 4);
            // Whole words only, and the token estimate of the text is the reported count.
            var text = choice.GetProperty("message").GetProperty("content").GetString()!;
            Assert.Equal((text.Length + 3) / 4, completion.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task Prompt_tokens_follow_the_documented_estimator()
    {
        // 3 priming + per message (4 + ceil(chars / 4)): system "You are a test." 15 chars -> 4, user "abcdefgh" -> 2.
        var completion = await ChatAsync(Requests.ChatBody("abcdefgh"));

        Assert.Equal(3 + (4 + 4) + (4 + 2), completion.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Stream_is_data_events_then_usage_with_empty_choices_then_done()
    {
        using var response = await fixture.Http.SendAsync(
            Requests.Post("/v1/chat/completions", Requests.ChatBody("Stream me", stream: true, includeUsage: true)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var payloads = ServerSentEvents.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ServerSentEvents.Done, payloads[^1]);
        var chunks = ServerSentEvents.JsonPayloads(payloads);

        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());

        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        var usage = usageChunk.GetProperty("usage");
        Assert.True(usage.GetProperty("completion_tokens").GetInt32() > 0);

        var finishChunk = chunks[^2];
        Assert.Equal("stop", finishChunk.GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        var contentChunks = chunks[1..^2];
        Assert.True(contentChunks.Count >= 5);
        Assert.All(contentChunks, c =>
        {
            Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
            Assert.False(c.TryGetProperty("usage", out _));
        });

        // The deltas add up to the non-streamed answer and to the usage reported for it.
        var streamed = string.Concat(contentChunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        var whole = await ChatAsync(Requests.ChatBody("Stream me"));
        Assert.Equal(Content(whole), streamed);
        Assert.Equal(whole.GetProperty("usage").GetRawText(), usage.GetRawText());
    }

    [Fact]
    public async Task Stream_without_include_usage_has_no_usage_chunk()
    {
        using var response = await fixture.Http.SendAsync(
            Requests.Post("/v1/chat/completions", Requests.ChatBody("No usage please", stream: true)));

        var payloads = ServerSentEvents.Parse(await response.Content.ReadAsStringAsync());
        var chunks = ServerSentEvents.JsonPayloads(payloads);

        Assert.Equal(ServerSentEvents.Done, payloads[^1]);
        Assert.All(chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.All(chunks, c => Assert.Equal(1, c.GetProperty("choices").GetArrayLength()));
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Stream_with_max_tokens_finishes_with_length()
    {
        using var response = await fixture.Http.SendAsync(
            Requests.Post("/v1/chat/completions", Requests.ChatBody("A long story", stream: true, includeUsage: true, maxTokens: 3)));

        var chunks = ServerSentEvents.JsonPayloads(ServerSentEvents.Parse(await response.Content.ReadAsStringAsync()));

        Assert.Equal("length", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.InRange(chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 3);
    }

    [Fact]
    public async Task Chunks_are_flushed_one_by_one_at_the_requested_pace()
    {
        const int delayMs = 80;
        using var request = Requests.Post("/v1/chat/completions", Requests.ChatBody("Pace me", stream: true, maxTokens: 4),
            ("x-mock-chunk-delay-ms", delayMs.ToString()));
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);

        var firstEventAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var events = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            if (events++ == 0)
            {
                firstEventAt = clock.Elapsed;
            }

            if (line == "data: [DONE]")
            {
                break;
            }
        }

        // Had the answer been buffered, every event would arrive at once after the first.
        var spread = clock.Elapsed - firstEventAt;
        Assert.True(events >= 4, $"expected several events, got {events}");
        Assert.True(spread >= TimeSpan.FromMilliseconds(delayMs * (events - 1) * 0.8),
            $"{events} events arrived within {spread.TotalMilliseconds} ms of the first");
    }

    private async Task<JsonElement> ChatAsync(string body)
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static string Content(JsonElement completion) =>
        completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
}
