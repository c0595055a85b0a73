using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Synaxis.Routing.Upstream.Anthropic;
using static Synaxis.Routing.Tests.Anthropic.JsonAssert;

namespace Synaxis.Routing.Tests.Anthropic;

public sealed class AnthropicStreamTranslatorTests
{
    private const long Created = 1_760_000_123;
    private const string Model = "my-claude";

    private static (string Event, string Data) MessageStart(string usage = """{"input_tokens":25,"output_tokens":1}""") =>
        ("message_start", Fill("""{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"stop_sequence":null,"usage":<<usage>>}}""", ("usage", usage)));

    private static (string, string) TextStart(int index) =>
        ("content_block_start", Fill("""{"type":"content_block_start","index":<<index>>,"content_block":{"type":"text","text":""}}""", ("index", index)));

    private static (string, string) TextDelta(int index, string jsonText) =>
        ("content_block_delta", Fill("""{"type":"content_block_delta","index":<<index>>,"delta":{"type":"text_delta","text":<<jsonText>>}}""", ("index", index), ("jsonText", jsonText)));

    private static (string, string) ToolStart(int index, string id, string name) =>
        ("content_block_start", Fill("""{"type":"content_block_start","index":<<index>>,"content_block":{"type":"tool_use","id":"<<id>>","name":"<<name>>","input":{}}}""", ("index", index), ("id", id), ("name", name)));

    private static (string, string) JsonDelta(int index, string jsonFragment) =>
        ("content_block_delta", Fill("""{"type":"content_block_delta","index":<<index>>,"delta":{"type":"input_json_delta","partial_json":<<jsonFragment>>}}""", ("index", index), ("jsonFragment", jsonFragment)));

    private static (string, string) BlockStop(int index) =>
        ("content_block_stop", Fill("""{"type":"content_block_stop","index":<<index>>}""", ("index", index)));

    private static (string, string) MessageDelta(string stopReason, string usage = """{"output_tokens":15}""") =>
        ("message_delta", Fill("""{"type":"message_delta","delta":{"stop_reason":"<<stopReason>>","stop_sequence":null},"usage":<<usage>>}""", ("stopReason", stopReason), ("usage", usage)));

    private static readonly (string, string) MessageStop = ("message_stop", """{"type":"message_stop"}""");
    private static readonly (string, string) Ping = ("ping", """{"type": "ping"}""");

    private static string RunRaw(AnthropicStreamTranslator translator, params (string Event, string Data)[] events)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (name, data) in events)
        {
            translator.Translate(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(data), output);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The payloads of the SSE events written, checking each is one <c>data: …\n\n</c> line.</summary>
    private static List<string> Payloads(string sse)
    {
        var payloads = new List<string>();
        if (sse.Length == 0)
        {
            return payloads;
        }
        Assert.EndsWith("\n\n", sse, StringComparison.Ordinal);
        foreach (var evt in sse[..^2].Split("\n\n"))
        {
            Assert.StartsWith("data: ", evt, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', evt);
            payloads.Add(evt["data: ".Length..]);
        }
        return payloads;
    }

    private static List<string> Run(AnthropicStreamTranslator translator, params (string Event, string Data)[] events) =>
        Payloads(RunRaw(translator, events));

    private static string Chunk(string delta, string? finishReason = null, bool usageNull = false) =>
        Fill("""
            {"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":<<Created>>,"model":"<<Model>>",
             "choices":[{"index":0,"delta":<<delta>>,"logprobs":null,"finish_reason":<<finish>>}]<<usage>>}
            """,
            ("Created", Created), ("Model", Model), ("delta", delta),
            ("finish", finishReason is null ? "null" : $"\"{finishReason}\""),
            ("usage", usageNull ? ",\"usage\":null" : ""));

    [Fact]
    public void A_text_stream_becomes_role_content_finish_and_done()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: false);
        var payloads = Run(translator,
            MessageStart(), TextStart(0), Ping, TextDelta(0, "\"Hel\""), TextDelta(0, "\"lo!\""), BlockStop(0),
            MessageDelta("end_turn"), MessageStop);

        Assert.Equal(5, payloads.Count);
        JsonAssert.Equal(Chunk("""{"role":"assistant","content":""}"""), JsonAssert.Parse(payloads[0]));
        JsonAssert.Equal(Chunk("""{"content":"Hel"}"""), JsonAssert.Parse(payloads[1]));
        JsonAssert.Equal(Chunk("""{"content":"lo!"}"""), JsonAssert.Parse(payloads[2]));
        JsonAssert.Equal(Chunk("{}", "stop"), JsonAssert.Parse(payloads[3]));
        Assert.Equal("[DONE]", payloads[4]);
        Assert.True(translator.Completed);
        Assert.False(translator.Failed);
        Assert.Equal("stop", translator.FinishReason);
    }

    [Fact]
    public void Chunks_are_compact_single_line_sse()
    {
        var sse = RunRaw(new AnthropicStreamTranslator(Model, Created, false), MessageStart(), TextStart(0), TextDelta(0, "\"a b\""));
        Assert.EndsWith(
            "data: {\"id\":\"chatcmpl-msg_1\",\"object\":\"chat.completion.chunk\",\"created\":1760000123,\"model\":\"my-claude\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a b\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n",
            sse, StringComparison.Ordinal);
    }

    [Fact]
    public void With_include_usage_every_chunk_has_null_usage_and_a_last_chunk_carries_it()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: true);
        var payloads = Run(translator,
            MessageStart("""{"input_tokens":25,"cache_creation_input_tokens":5,"cache_read_input_tokens":70,"output_tokens":1}"""),
            TextStart(0), TextDelta(0, "\"Hi\""), BlockStop(0), MessageDelta("max_tokens", """{"output_tokens":42}"""), MessageStop);

        Assert.Equal(5, payloads.Count);
        JsonAssert.Equal(Chunk("""{"role":"assistant","content":""}""", usageNull: true), JsonAssert.Parse(payloads[0]));
        JsonAssert.Equal(Chunk("""{"content":"Hi"}""", usageNull: true), JsonAssert.Parse(payloads[1]));
        JsonAssert.Equal(Chunk("{}", "length", usageNull: true), JsonAssert.Parse(payloads[2]));
        JsonAssert.Equal(Fill("""
            {"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":<<Created>>,"model":"<<Model>>","choices":[],
             "usage":{"prompt_tokens":100,"completion_tokens":42,"total_tokens":142,"prompt_tokens_details":{"cached_tokens":70}}}
            """, ("Created", Created), ("Model", Model)), JsonAssert.Parse(payloads[3]));
        Assert.Equal("[DONE]", payloads[4]);
        Assert.Equal(new AnthropicUsage(100, 42, 70), translator.Usage);
    }

    [Fact]
    public void Without_include_usage_no_usage_is_written_but_the_usage_is_known()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: false);
        var sse = RunRaw(translator, MessageStart(), TextStart(0), TextDelta(0, "\"Hi\""), BlockStop(0), MessageDelta("end_turn", """{"output_tokens":9}"""), MessageStop);
        Assert.DoesNotContain("usage", sse, StringComparison.Ordinal);
        Assert.Equal(new AnthropicUsage(25, 9, 0), translator.Usage);
    }

    [Fact]
    public void Usage_before_message_delta_is_message_starts_and_message_delta_input_tokens_replace_it()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: false);
        Run(translator, MessageStart());
        Assert.Equal(new AnthropicUsage(25, 1, 0), translator.Usage);
        Run(translator, MessageDelta("end_turn", """{"input_tokens":30,"cache_read_input_tokens":4,"output_tokens":11,"server_tool_use":{"web_search_requests":1}}"""));
        Assert.Equal(new AnthropicUsage(34, 11, 4), translator.Usage);
    }

    [Fact]
    public void Tool_use_blocks_stream_as_tool_call_deltas_numbered_by_tool_call()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: false);
        var payloads = Run(translator,
            MessageStart(),
            TextStart(0), TextDelta(0, "\"Checking.\""), BlockStop(0),
            ToolStart(1, "toolu_A", "get_weather"), JsonDelta(1, "\"\""), JsonDelta(1, "\"{\\\"city\\\": \""), JsonDelta(1, "\"\\\"Paris\\\"}\""), BlockStop(1),
            ToolStart(2, "toolu_B", "now"), JsonDelta(2, "\"{}\""), BlockStop(2),
            MessageDelta("tool_use"), MessageStop);

        Assert.Equal(9, payloads.Count);
        JsonAssert.Equal(Chunk("""{"content":"Checking."}"""), JsonAssert.Parse(payloads[1]));
        JsonAssert.Equal(Chunk("""{"tool_calls":[{"index":0,"id":"toolu_A","type":"function","function":{"name":"get_weather","arguments":""}}]}"""), JsonAssert.Parse(payloads[2]));
        JsonAssert.Equal(Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": "}}]}"""), JsonAssert.Parse(payloads[3]));
        JsonAssert.Equal(Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}"""), JsonAssert.Parse(payloads[4]));
        JsonAssert.Equal(Chunk("""{"tool_calls":[{"index":1,"id":"toolu_B","type":"function","function":{"name":"now","arguments":""}}]}"""), JsonAssert.Parse(payloads[5]));
        JsonAssert.Equal(Chunk("""{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]}"""), JsonAssert.Parse(payloads[6]));
        JsonAssert.Equal(Chunk("{}", "tool_calls"), JsonAssert.Parse(payloads[7]));
        Assert.Equal("[DONE]", payloads[8]);
    }

    [Fact]
    public void Escaped_text_reaches_the_client_as_the_same_string()
    {
        const string text = "He said \"hi\"\n\ttab \\ é 😀 </script> \u2028";
        var jsonText = new JsonObject { ["t"] = text }.ToJsonString();
        var rawText = jsonText["{\"t\":".Length..^1];
        var payloads = Run(new AnthropicStreamTranslator(Model, Created, false), MessageStart(), TextStart(0), TextDelta(0, rawText));
        Assert.Equal(text, JsonAssert.Parse(payloads[1])["choices"]![0]!["delta"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public void Properties_in_any_order_are_read()
    {
        var payloads = Run(new AnthropicStreamTranslator(Model, Created, false),
            ("message_start", """{"message":{"usage":{"output_tokens":1,"input_tokens":5},"content":[],"id":"msg_1"},"type":"message_start"}"""),
            ("content_block_start", """{"content_block":{"input":{},"name":"f","id":"t1","type":"tool_use"},"index":0,"type":"content_block_start"}"""),
            ("content_block_delta", """{"delta":{"partial_json":"{\"a\":1}","type":"input_json_delta"},"index":0,"type":"content_block_delta"}"""));
        JsonAssert.Equal(Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}]}"""), JsonAssert.Parse(payloads[2]));
    }

    [Fact]
    public void Without_an_event_name_the_data_type_decides()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        var events = new[] { MessageStart(), TextStart(0), TextDelta(0, "\"x\""), MessageDelta("end_turn"), MessageStop }
            .Select(e => ("", e.Item2)).ToArray();
        var payloads = Run(translator, events);
        Assert.Equal(4, payloads.Count);
        Assert.Equal("[DONE]", payloads[^1]);
    }

    [Fact]
    public void The_event_name_decides_when_given_even_if_the_data_has_no_type()
    {
        var payloads = Run(new AnthropicStreamTranslator(Model, Created, false),
            MessageStart(),
            ("content_block_delta", """{"index":0,"delta":{"type":"text_delta","text":"named"}}"""));
        JsonAssert.Equal(Chunk("""{"content":"named"}"""), JsonAssert.Parse(payloads[1]));
    }

    [Fact]
    public void Ping_block_stop_thinking_and_unknown_events_write_nothing()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        Run(translator, MessageStart());
        var sse = RunRaw(translator,
            Ping,
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}}"""),
            BlockStop(0),
            ("brand_new_event", """{"type":"brand_new_event","x":1}"""),
            TextStart(1), TextDelta(1, "\"\""));
        Assert.Equal("", sse);
        Assert.False(translator.Failed);
    }

    [Fact]
    public void An_error_event_mid_stream_writes_an_openai_error_and_no_done()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: true);
        var sse = RunRaw(translator,
            MessageStart(), TextStart(0), TextDelta(0, "\"Partial\""),
            ("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""));
        var payloads = Payloads(sse);
        Assert.Equal(3, payloads.Count);
        JsonAssert.Equal("""{"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}}""", JsonAssert.Parse(payloads[2]));
        Assert.DoesNotContain("[DONE]", sse, StringComparison.Ordinal);
        Assert.True(translator.Failed);
        Assert.False(translator.Completed);
        Assert.Equal("Overloaded", translator.FailureMessage);
        Assert.Equal("server_error", translator.FailureType);

        // Whatever follows is ignored: the client saw the error.
        Assert.Equal("", RunRaw(translator, MessageDelta("end_turn"), MessageStop));
        var output = new ArrayBufferWriter<byte>();
        translator.Complete(output);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void A_rate_limit_error_event_keeps_its_code()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        var payloads = Run(translator, MessageStart(), ("error", """{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}"""));
        JsonAssert.Equal("""{"error":{"message":"Slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", JsonAssert.Parse(payloads[1]));
    }

    [Fact]
    public void An_error_before_message_start_is_still_reported()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        var payloads = Run(translator, ("error", """{"type":"error","error":{"type":"api_error","message":"Internal"}}"""));
        Assert.Single(payloads);
        Assert.Equal("Internal", JsonAssert.Parse(payloads[0])["error"]!["message"]!.GetValue<string>());
        Assert.True(translator.Failed);
    }

    [Theory]
    [InlineData("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"")]
    [InlineData("content_block_delta", "not json")]
    [InlineData("message_start", "[1]")]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}}""")]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":7,"delta":{"type":"input_json_delta","partial_json":"{"}}""")]
    [InlineData("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","input":{}}}""")]
    [InlineData("content_block_start", """{"type":"content_block_start","content_block":{"type":"text","text":""}}""")]
    [InlineData("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":"many"}}""")]
    public void A_malformed_event_fails_the_stream_with_an_error_event(string name, string data)
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        var payloads = Run(translator, MessageStart(), TextStart(0), (name, data));
        Assert.Equal(2, payloads.Count);
        JsonAssert.Equal("""{"error":{"message":"The upstream provider sent a malformed stream event.","type":"server_error","param":null,"code":null}}""", JsonAssert.Parse(payloads[1]));
        Assert.True(translator.Failed);
    }

    [Fact]
    public void Content_before_message_start_fails_the_stream()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        var payloads = Run(translator, TextStart(0));
        Assert.Single(payloads);
        Assert.Contains("\"error\"", payloads[0], StringComparison.Ordinal);
        Assert.True(translator.Failed);
    }

    [Fact]
    public void A_stream_that_ends_before_message_stop_is_reported_on_complete()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        Run(translator, MessageStart(), TextStart(0), TextDelta(0, "\"cut\""));
        var output = new ArrayBufferWriter<byte>();
        translator.Complete(output);
        var payloads = Payloads(Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Single(payloads);
        Assert.Equal("server_error", JsonAssert.Parse(payloads[0])["error"]!["type"]!.GetValue<string>());
        Assert.True(translator.Failed);
    }

    [Fact]
    public void Complete_after_message_stop_writes_nothing()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        Run(translator, MessageStart(), MessageDelta("end_turn"), MessageStop);
        var output = new ArrayBufferWriter<byte>();
        translator.Complete(output);
        Assert.Equal(0, output.WrittenCount);
        Assert.False(translator.Failed);
        Assert.True(translator.Completed);
    }

    [Fact]
    public void Message_stop_without_a_stop_reason_still_sends_a_finish_chunk_and_only_one()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, false);
        var payloads = Run(translator,
            MessageStart(),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":3}}"""),
            MessageStop);
        Assert.Equal(3, payloads.Count);
        JsonAssert.Equal(Chunk("{}", "stop"), JsonAssert.Parse(payloads[1]));
        Assert.Equal("[DONE]", payloads[2]);

        var twice = Run(new AnthropicStreamTranslator(Model, Created, false), MessageStart(), MessageDelta("end_turn"), MessageDelta("end_turn"), MessageStop);
        Assert.Equal(3, twice.Count);
    }

    [Fact]
    public void The_byte_array_overloads_write_what_the_buffer_writer_gets()
    {
        var events = new[] { MessageStart(), TextStart(0), TextDelta(0, "\"x\""), MessageDelta("end_turn"), MessageStop };
        var expected = RunRaw(new AnthropicStreamTranslator(Model, Created, true), events);

        var bytes = new AnthropicStreamTranslator(Model, Created, true);
        var strings = new AnthropicStreamTranslator(Model, Created, true);
        var fromBytes = new StringBuilder();
        var fromStrings = new StringBuilder();
        foreach (var (name, data) in events)
        {
            fromBytes.Append(Encoding.UTF8.GetString(bytes.Translate(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(data))));
            fromStrings.Append(Encoding.UTF8.GetString(strings.Translate(name, data)));
        }
        Assert.Equal(expected, fromBytes.ToString());
        Assert.Equal(expected, fromStrings.ToString());
        Assert.Empty(new AnthropicStreamTranslator(Model, Created, true).Translate("ping", """{"type":"ping"}"""));
    }

    [Fact]
    public void Text_and_argument_deltas_allocate_nothing_once_warm()
    {
        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: true);
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        foreach (var (name, data) in new[] { MessageStart(), TextStart(0), ToolStart(1, "toolu_1", "f") })
        {
            translator.Translate(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(data), output);
        }
        var textName = "content_block_delta"u8.ToArray();
        var textData = Encoding.UTF8.GetBytes(TextDelta(0, "\"token \\\"quoted\\\" é\"").Item2);
        var argsData = Encoding.UTF8.GetBytes(JsonDelta(1, "\"{\\\"k\\\": 1\"").Item2);
        for (var i = 0; i < 200; i++)
        {
            output.Clear();
            translator.Translate(textName, textData, output);
            translator.Translate(textName, argsData, output);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            output.Clear();
            translator.Translate(textName, textData, output);
            translator.Translate(textName, argsData, output);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains("\"arguments\":\"{\\\"k\\\": 1\"", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
        Assert.False(translator.Failed);
    }

    [Fact]
    public void A_reassembled_stream_equals_the_non_streamed_translation_of_the_same_message()
    {
        const string message = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
             "content":[{"type":"text","text":"Let me look: "},{"type":"text","text":"ok."},
                        {"type":"tool_use","id":"toolu_A","name":"search","input":{"q":"näive \"quotes\"","n":3}},
                        {"type":"tool_use","id":"toolu_B","name":"now","input":{}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":40}}
            """;
        var expected = JsonAssert.Parse(AnthropicResponseTranslator.Translate(Encoding.UTF8.GetBytes(message), Model, Created));

        var translator = new AnthropicStreamTranslator(Model, Created, includeUsage: true);
        var payloads = Run(translator,
            MessageStart("""{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}"""),
            TextStart(0), TextDelta(0, "\"Let me \""), TextDelta(0, "\"look: \""), BlockStop(0),
            TextStart(1), TextDelta(1, "\"ok.\""), BlockStop(1),
            ToolStart(2, "toolu_A", "search"), JsonDelta(2, "\"{\\\"q\\\":\\\"näi\""), JsonDelta(2, "\"ve \\\\\\\"quotes\\\\\\\"\\\",\\\"n\\\":3}\""), BlockStop(2),
            ToolStart(3, "toolu_B", "now"), JsonDelta(3, "\"{}\""), BlockStop(3),
            MessageDelta("tool_use", """{"output_tokens":40}"""), MessageStop);

        Assert.Equal("[DONE]", payloads[^1]);
        var content = new StringBuilder();
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        string? finish = null;
        JsonNode? usage = null;
        foreach (var payload in payloads[..^1])
        {
            var chunk = JsonAssert.Parse(payload);
            Assert.Equal(expected["id"]!.GetValue<string>(), chunk["id"]!.GetValue<string>());
            Assert.Equal(Model, chunk["model"]!.GetValue<string>());
            if (chunk["usage"] is JsonObject u)
            {
                usage = u;
            }
            foreach (var choice in chunk["choices"]!.AsArray())
            {
                var delta = choice!["delta"]!;
                content.Append(delta["content"]?.GetValue<string>());
                foreach (var call in delta["tool_calls"]?.AsArray() ?? [])
                {
                    var index = call!["index"]!.GetValue<int>();
                    if (call["id"] is { } id)
                    {
                        calls[index] = (id.GetValue<string>(), call["function"]!["name"]!.GetValue<string>(), new StringBuilder());
                    }
                    calls[index].Arguments.Append(call["function"]!["arguments"]!.GetValue<string>());
                }
                finish = choice["finish_reason"]?.GetValue<string>() ?? finish;
            }
        }

        var expectedMessage = expected["choices"]![0]!["message"]!;
        Assert.Equal(expectedMessage["content"]!.GetValue<string>(), content.ToString());
        Assert.Equal(expected["choices"]![0]!["finish_reason"]!.GetValue<string>(), finish);
        var expectedCalls = expectedMessage["tool_calls"]!.AsArray();
        Assert.Equal(expectedCalls.Count, calls.Count);
        for (var i = 0; i < expectedCalls.Count; i++)
        {
            Assert.Equal(expectedCalls[i]!["id"]!.GetValue<string>(), calls[i].Id);
            Assert.Equal(expectedCalls[i]!["function"]!["name"]!.GetValue<string>(), calls[i].Name);
            JsonAssert.Equal(expectedCalls[i]!["function"]!["arguments"]!.GetValue<string>(), JsonAssert.Parse(calls[i].Arguments.ToString()));
        }
        JsonAssert.Equal(expected["usage"]!.ToJsonString(), usage);
    }
}
