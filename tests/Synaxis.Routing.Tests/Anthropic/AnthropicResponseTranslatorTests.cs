using System.Text;
using System.Text.Json.Nodes;
using Synaxis.Routing.Upstream.Anthropic;
using static Synaxis.Routing.Tests.Anthropic.JsonAssert;

namespace Synaxis.Routing.Tests.Anthropic;

public sealed class AnthropicResponseTranslatorTests
{
    private const long Created = 1_760_000_000;

    private static JsonNode Translate(string anthropicJson, out AnthropicUsage usage, string clientModel = "my-claude") =>
        JsonAssert.Parse(AnthropicResponseTranslator.Translate(Encoding.UTF8.GetBytes(anthropicJson), clientModel, Created, out usage));

    private static JsonNode Translate(string anthropicJson) => Translate(anthropicJson, out _);

    private static string Message(string content, string stopReason = "end_turn", string usage = """{"input_tokens":10,"output_tokens":5}""") => Fill("""
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
         "content":<<content>>,"stop_reason":"<<stopReason>>","stop_sequence":null,"usage":<<usage>>}
        """, ("content", content), ("stopReason", stopReason), ("usage", usage));

    [Fact]
    public void A_text_message_becomes_a_chat_completion_under_the_client_model()
    {
        var result = Translate(Message("""[{"type":"text","text":"Hello!"}]"""), out var usage);
        JsonAssert.Equal(Fill("""
            {"id":"chatcmpl-msg_01","object":"chat.completion","created":<<Created>>,"model":"my-claude",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","refusal":null},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":0}}}
            """, ("Created", Created)), result);
        Assert.Equal(new AnthropicUsage(10, 5, 0), usage);
    }

    [Fact]
    public void Text_blocks_are_concatenated_and_thinking_blocks_left_out()
    {
        var result = Translate(Message("""
            [{"type":"thinking","thinking":"hmm","signature":"sig"},
             {"type":"text","text":"Part one. "},
             {"type":"redacted_thinking","data":"xyz"},
             {"type":"text","text":"Part \"two\"."}]
            """));
        Assert.Equal("Part one. Part \"two\".", result["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public void Tool_use_blocks_become_tool_calls_with_json_string_arguments_and_no_content()
    {
        var result = Translate(Message("""
            [{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","days":[1,2]}},
             {"type":"tool_use","id":"toolu_2","name":"now","input":{}}]
            """, "tool_use"));
        var choice = result["choices"]![0]!;
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        var message = choice["message"]!;
        Assert.True(message.AsObject().ContainsKey("content"));
        Assert.Null(message["content"]);
        var calls = message["tool_calls"]!.AsArray();
        Assert.Equal(2, calls.Count);
        Assert.Equal("toolu_1", calls[0]!["id"]!.GetValue<string>());
        Assert.Equal("function", calls[0]!["type"]!.GetValue<string>());
        Assert.Equal("get_weather", calls[0]!["function"]!["name"]!.GetValue<string>());
        var arguments = calls[0]!["function"]!["arguments"]!.GetValue<string>();
        Assert.Equal("""{"city":"Paris","days":[1,2]}""", arguments);
        Assert.Equal("{}", calls[1]!["function"]!["arguments"]!.GetValue<string>());
    }

    [Fact]
    public void Text_and_tool_use_together_keep_both()
    {
        var message = Translate(Message("""
            [{"type":"text","text":"Checking."},{"type":"tool_use","id":"t","name":"f","input":{"a":"é"}}]
            """, "tool_use"))["choices"]![0]!["message"]!;
        Assert.Equal("Checking.", message["content"]!.GetValue<string>());
        JsonAssert.Equal("""{"a":"é"}""", JsonAssert.Parse(message["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>()));
    }

    [Fact]
    public void An_empty_answer_has_empty_string_content()
    {
        Assert.Equal("", Translate(Message("[]"))["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("model_context_window_exceeded", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "stop")]
    [InlineData("something_new", "stop")]
    public void Stop_reasons_map_to_finish_reasons(string stopReason, string finishReason)
    {
        Assert.Equal(finishReason, Translate(Message("""[{"type":"text","text":"x"}]""", stopReason))["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public void Cache_tokens_count_in_the_prompt_and_cache_reads_as_cached()
    {
        var result = Translate(Message("""[{"type":"text","text":"x"}]""", usage: """
            {"input_tokens":20,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":7,
             "cache_creation":{"ephemeral_5m_input_tokens":100},"service_tier":"standard"}
            """), out var usage);
        JsonAssert.Equal("""
            {"prompt_tokens":1120,"completion_tokens":7,"total_tokens":1127,"prompt_tokens_details":{"cached_tokens":1000}}
            """, result["usage"]);
        Assert.Equal(new AnthropicUsage(1120, 7, 1000), usage);
        Assert.Equal(1127, usage.TotalTokens);
    }

    [Fact]
    public void Null_cache_counts_are_zero()
    {
        Translate(Message("""[{"type":"text","text":"x"}]""", usage: """
            {"input_tokens":3,"cache_creation_input_tokens":null,"cache_read_input_tokens":null,"output_tokens":2}
            """), out var usage);
        Assert.Equal(new AnthropicUsage(3, 2, 0), usage);
    }

    [Fact]
    public void The_overload_without_usage_gives_the_same_bytes()
    {
        var body = Encoding.UTF8.GetBytes(Message("""[{"type":"text","text":"x"}]"""));
        Assert.Equal(
            AnthropicResponseTranslator.Translate(body, "m", Created, out _),
            AnthropicResponseTranslator.Translate(body, "m", Created));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"type":"error","error":{"type":"api_error","message":"boom"}}""")]
    [InlineData("""{"type":"message","content":[]}""")]
    [InlineData("""{"id":"m","content":[{"type":"tool_use","input":{}}]}""")]
    [InlineData("""{"id":"m","content":[],"usage":{"input_tokens":1.5}}""")]
    public void Bodies_that_are_not_a_message_throw_a_protocol_exception(string body)
    {
        Assert.Throws<AnthropicProtocolException>(() => AnthropicResponseTranslator.Translate(Encoding.UTF8.GetBytes(body), "m", Created));
    }
}
