using System.Text;
using Synaxis.Gateway.Admission;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.Gateway.Tests.Admission;

public sealed class InferenceRequestTests
{
    private const string ParseError = "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.";
    private const string NotAnObject = "The request body must be a JSON object.";
    private const string NoModel = "You must provide a model parameter.";

    private static InferenceRequest Read(string json)
    {
        var request = InferenceRequest.TryRead(Encoding.UTF8.GetBytes(json), out var error);
        Assert.Null(error);
        Assert.NotNull(request);
        return request.Value;
    }

    private static string Refuse(string json)
    {
        var request = InferenceRequest.TryRead(Encoding.UTF8.GetBytes(json), out var error);
        Assert.Null(request);
        Assert.NotNull(error);
        return error;
    }

    private static long Utf8(string text) => Encoding.UTF8.GetByteCount(text);

    [Fact]
    public void A_minimal_request_has_its_model_one_choice_no_cap_and_no_prompt()
    {
        var request = Read("""{"model":"gpt-4o-mini"}""");

        Assert.Equal("gpt-4o-mini", request.Model);
        Assert.Null(request.MaxTokens);
        Assert.Equal(1, request.Choices);
        Assert.Equal(0, request.PromptTextBytes);
        Assert.Equal(0, request.PromptTokenIds);
    }

    [Fact]
    public void A_chat_request_counts_every_string_value_at_any_depth_but_the_model_and_no_property_name()
    {
        const string json = """
            {
              "model": "gpt-4o",
              "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [
                  {"type": "text", "text": "What is in this image?"},
                  {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}}
                ]},
                {"role": "assistant", "content": "A cat.", "name": "bot"},
                {"role": "user", "content": [{"type": "text", "text": "Sure?"}]}
              ],
              "temperature": 0.2,
              "stream": true,
              "stop": ["\n\n", "END"],
              "logit_bias": {"50256": -100},
              "max_tokens": 256
            }
            """;
        var request = Read(json);

        string[] strings =
        [
            "system", "Be brief.",
            "user", "text", "What is in this image?", "image_url", "https://x.test/a.png", "low",
            "assistant", "A cat.", "bot",
            "user", "text", "Sure?",
            "\n\n", "END", // escapes are counted as the text they stand for: "\n" is one byte
        ];
        Assert.Equal("gpt-4o", request.Model);
        Assert.Equal(256, request.MaxTokens);
        Assert.Equal(strings.Sum(Utf8), request.PromptTextBytes);
        Assert.Equal(0, request.PromptTokenIds); // numbers outside prompt / input are not token ids
    }

    [Fact]
    public void A_completions_prompt_of_token_ids_counts_each_id()
    {
        var request = Read("""{"model":"gpt-3.5-turbo-instruct","prompt":[1,2,3],"max_tokens":16}""");

        Assert.Equal(3, request.PromptTokenIds);
        Assert.Equal(0, request.PromptTextBytes);
        Assert.Equal(16, request.MaxTokens);
    }

    [Fact]
    public void A_batch_of_token_id_arrays_counts_every_id_at_every_depth()
    {
        var request = Read("""{"model":"m","prompt":[[1,2],[3],[4,5,6]]}""");

        Assert.Equal(6, request.PromptTokenIds);
    }

    [Fact]
    public void A_string_prompt_counts_as_text()
    {
        var request = Read("""{"model":"m","prompt":"Say this is a test","suffix":"!"}""");

        Assert.Equal(Utf8("Say this is a test") + 1, request.PromptTextBytes);
        Assert.Equal(0, request.PromptTokenIds);
    }

    [Fact]
    public void Embeddings_input_as_an_array_of_strings_counts_every_string()
    {
        var request = Read("""{"model":"text-embedding-3-small","input":["The food was delicious","and the waiter..."],"encoding_format":"float"}""");

        Assert.Equal(Utf8("The food was delicious") + Utf8("and the waiter...") + Utf8("float"), request.PromptTextBytes);
        Assert.Equal(0, request.PromptTokenIds);
    }

    [Fact]
    public void Embeddings_input_of_token_ids_counts_the_ids()
    {
        var request = Read("""{"model":"text-embedding-3-small","input":[[10,20,30,40],[50]],"dimensions":256}""");

        Assert.Equal(5, request.PromptTokenIds); // dimensions is a number outside input: not an id
        Assert.Equal(0, request.PromptTextBytes);
    }

    [Fact]
    public void Unicode_text_is_measured_in_utf8_bytes_not_chars()
    {
        const string text = "héllo 世界 🙂"; // 11 UTF-16 chars (the emoji is a surrogate pair), 18 UTF-8 bytes
        var request = Read($$"""{"model":"m","messages":[{"role":"user","content":"{{text}}"}]}""");

        Assert.Equal(11, text.Length);
        Assert.Equal(18, Utf8(text));
        Assert.Equal(4 + 18, request.PromptTextBytes);
        Assert.NotEqual("user".Length + text.Length, request.PromptTextBytes);
    }

    [Fact]
    public void Property_names_are_not_text_even_long_ones()
    {
        var request = Read("""{"model":"m","metadata":{"a_very_long_property_name_that_is_not_prompt":"v"}}""");

        Assert.Equal(1, request.PromptTextBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(500)] // past the stack buffer: unescaped through a pooled one
    public void Escaped_text_counts_as_the_utf8_it_stands_for(int repeat)
    {
        var escaped = string.Concat(Enumerable.Repeat("\\u4e16\\u754c", repeat));
        var raw = string.Concat(Enumerable.Repeat("世界", repeat));
        var fromEscaped = Read($$"""{"model": "m", "messages": [{"role": "user", "content": "{{escaped}}"}]}""");
        var fromRaw = Read($$"""{"model": "m", "messages": [{"role": "user", "content": "{{raw}}"}]}""");

        Assert.Equal(4 + 6L * repeat, fromEscaped.PromptTextBytes);
        Assert.Equal(fromRaw.PromptTextBytes, fromEscaped.PromptTextBytes);
    }

    [Fact]
    public void A_model_string_with_escapes_is_unescaped()
    {
        var request = Read("""{"model":"gpt\u002d4o"}""");

        Assert.Equal("gpt-4o", request.Model);
    }

    [Fact]
    public void The_model_may_come_after_the_rest_of_the_body()
    {
        var request = Read("""{"messages":[{"role":"user","content":"hi"}],"n":2,"model":"late"}""");

        Assert.Equal("late", request.Model);
        Assert.Equal(2, request.Choices);
        Assert.Equal(Utf8("user") + Utf8("hi"), request.PromptTextBytes);
    }

    [Fact]
    public void Max_completion_tokens_wins_over_max_tokens_in_either_order()
    {
        Assert.Equal(50, Read("""{"model":"m","max_tokens":10,"max_completion_tokens":50}""").MaxTokens);
        Assert.Equal(50, Read("""{"model":"m","max_completion_tokens":50,"max_tokens":10}""").MaxTokens);
        Assert.Equal(0, Read("""{"model":"m","max_completion_tokens":0,"max_tokens":10}""").MaxTokens);
    }

    [Fact]
    public void Max_completion_tokens_alone_is_the_cap()
    {
        Assert.Equal(7, Read("""{"model":"m","max_completion_tokens":7}""").MaxTokens);
    }

    [Fact]
    public void Null_counts_are_as_if_absent()
    {
        var request = Read("""{"model":"m","max_tokens":null,"max_completion_tokens":null,"n":null}""");

        Assert.Null(request.MaxTokens);
        Assert.Equal(1, request.Choices);
    }

    [Fact]
    public void A_null_max_completion_tokens_leaves_max_tokens()
    {
        Assert.Equal(10, Read("""{"model":"m","max_completion_tokens":null,"max_tokens":10}""").MaxTokens);
    }

    [Theory]
    [InlineData("max_tokens", "-1")]
    [InlineData("max_tokens", "1.5")]
    [InlineData("max_tokens", "1e3")]
    [InlineData("max_tokens", "\"100\"")]
    [InlineData("max_tokens", "true")]
    [InlineData("max_tokens", "[100]")]
    [InlineData("max_tokens", "{}")]
    [InlineData("max_tokens", "9223372036854775808")]
    [InlineData("max_completion_tokens", "-5")]
    [InlineData("max_completion_tokens", "2.0")]
    [InlineData("max_completion_tokens", "\"7\"")]
    public void A_cap_that_is_not_a_non_negative_integer_is_refused(string name, string value)
    {
        var error = Refuse($$"""{"model":"m","{{name}}":{{value}}}""");

        Assert.Equal($"'{name}' must be a non-negative integer.", error);
    }

    [Theory]
    [InlineData("max_tokens", "6148914691236516872")] // with n = 3 this once overflowed the estimate to a negative number
    [InlineData("max_tokens", "100000001")]
    [InlineData("max_completion_tokens", "9223372036854775807")]
    public void A_cap_beyond_any_context_window_is_refused_so_no_estimate_can_overflow(string name, string value)
    {
        var error = Refuse($$"""{"model":"m","{{name}}":{{value}},"n":3}""");

        Assert.Equal($"'{name}' must be at most {InferenceRequest.MaxTokensCap}.", error);
        var largest = Read($$"""{"model":"m","{{name}}":{{InferenceRequest.MaxTokensCap}},"n":128}""");
        Assert.Equal(128 * InferenceRequest.MaxTokensCap, largest.EstimateTokens(completes: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(128)]
    public void N_from_1_to_128_is_the_number_of_choices(int n)
    {
        Assert.Equal(n, Read($$"""{"model":"m","n":{{n}}}""").Choices);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("129")]
    [InlineData("4294967297")] // would wrap to 1 as an int
    public void N_outside_1_to_128_is_refused(string n)
    {
        Assert.Equal("'n' must be between 1 and 128.", Refuse($$"""{"model":"m","n":{{n}}}"""));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2.5")]
    [InlineData("\"2\"")]
    public void N_that_is_not_a_non_negative_integer_is_refused(string n)
    {
        Assert.Equal("'n' must be a non-negative integer.", Refuse($$"""{"model":"m","n":{{n}}}"""));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"model\":\"m\"}]")]
    [InlineData("\"model\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    public void A_body_that_is_not_an_object_is_refused(string json)
    {
        Assert.Equal(NotAnObject, Refuse(json));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[\"m\"]")]
    [InlineData("{\"id\":\"m\"}")]
    public void A_model_that_is_not_a_string_is_refused(string model)
    {
        Assert.Equal("'model' must be a string.", Refuse($$"""{"model":{{model}}}"""));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":""}""")]
    [InlineData("""{"model":"   "}""")]
    [InlineData("""{"model":"\t\n"}""")]
    [InlineData("""{"input":{"model":"nested models do not count"}}""")]
    public void A_missing_or_blank_model_is_refused(string json)
    {
        Assert.Equal(NoModel, Refuse(json));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("""{"model":"m" """)]
    [InlineData("""{"model":"m",""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}""")]
    [InlineData("""{"model":"m","prompt":[1,2""")]
    [InlineData("""{"model":"m""")]
    [InlineData("""{"model":""")]
    [InlineData("""{"model":"m",}""")]
    [InlineData("""{"model":"m" "n":1}""")]
    [InlineData("""{model:"m"}""")]
    [InlineData("""{"model":'m'}""")]
    [InlineData("""{"model":"m"/* comment */}""")]
    [InlineData("""{"model":"m","max_tokens":}""")]
    [InlineData("""{"model":"m","n":]""")]
    public void Malformed_or_truncated_json_is_refused_as_unparseable(string json)
    {
        Assert.Equal(ParseError, Refuse(json));
    }

    [Theory]
    [InlineData("""{"model":"m"}{}""")]
    [InlineData("""{"model":"m"} {"model":"n"}""")]
    [InlineData("""{"model":"m"}x""")]
    [InlineData("""{"model":"m"}]""")]
    [InlineData("""{"model":"m"},""")]
    [InlineData("""{"model":"m"} 1""")]
    public void Trailing_content_after_the_object_is_refused(string json)
    {
        // The reader itself rejects a second value, so this surfaces as a parse error.
        Assert.Equal(ParseError, Refuse(json));
    }

    [Fact]
    public void Whitespace_after_the_object_is_fine()
    {
        Assert.Equal("m", Read("  {\"model\":\"m\"} \r\n\t ").Model);
    }

    [Fact]
    public void Nesting_deeper_than_64_is_refused()
    {
        var deep = new string('[', 80) + new string(']', 80);
        Assert.Equal(ParseError, Refuse($$"""{"model":"m","input":{{deep}}}"""));
    }

    [Fact]
    public void The_first_error_wins_even_when_a_model_follows()
    {
        Assert.Equal("'max_tokens' must be a non-negative integer.", Refuse("""{"max_tokens":-1,"model":"m"}"""));
    }

    [Fact]
    public void A_completion_without_a_cap_reserves_the_prompt_plus_the_default()
    {
        // 9 bytes of text -> ceil(9 / 4) = 3 tokens, plus 2 ids.
        var request = new InferenceRequest("m", MaxTokens: null, Choices: 1, PromptTextBytes: 9, PromptTokenIds: 2);

        Assert.Equal(3 + 2 + AdmissionRequest.DefaultCompletionReserve, request.EstimateTokens(completes: true));
        Assert.Equal(1024, AdmissionRequest.DefaultCompletionReserve);
    }

    [Fact]
    public void A_completion_with_a_cap_reserves_the_prompt_plus_the_cap()
    {
        var request = new InferenceRequest("m", MaxTokens: 100, Choices: 1, PromptTextBytes: 8, PromptTokenIds: 0);

        Assert.Equal(2 + 100, request.EstimateTokens(completes: true));
    }

    [Fact]
    public void A_completion_with_a_zero_cap_reserves_the_prompt_only()
    {
        var request = new InferenceRequest("m", MaxTokens: 0, Choices: 3, PromptTextBytes: 4, PromptTokenIds: 0);

        Assert.Equal(1, request.EstimateTokens(completes: true));
    }

    [Fact]
    public void N_choices_reserve_the_cap_n_times_and_the_prompt_once()
    {
        var withCap = new InferenceRequest("m", MaxTokens: 100, Choices: 3, PromptTextBytes: 10, PromptTokenIds: 0);
        var withoutCap = withCap with { MaxTokens = null };

        Assert.Equal(3 + 3 * 100, withCap.EstimateTokens(completes: true));
        Assert.Equal(3 + 3 * AdmissionRequest.DefaultCompletionReserve, withoutCap.EstimateTokens(completes: true));
    }

    [Fact]
    public void An_embedding_reserves_the_prompt_only_whatever_the_cap_and_n()
    {
        var request = new InferenceRequest("m", MaxTokens: null, Choices: 1, PromptTextBytes: 13, PromptTokenIds: 5);

        Assert.Equal(4 + 5, request.EstimateTokens(completes: false));
        Assert.Equal(4 + 5, (request with { MaxTokens = 500 }).EstimateTokens(completes: false));
        Assert.Equal(4 + 5, (request with { MaxTokens = 500, Choices = 3 }).EstimateTokens(completes: false));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(8, 2)]
    [InlineData(4001, 1001)]
    public void Text_bytes_become_tokens_at_four_bytes_each_rounded_up(long bytes, long tokens)
    {
        var request = new InferenceRequest("m", MaxTokens: null, Choices: 1, PromptTextBytes: bytes, PromptTokenIds: 0);

        Assert.Equal(tokens, request.EstimateTokens(completes: false));
    }

    [Fact]
    public void A_read_chat_request_estimates_end_to_end()
    {
        // "user" + "Hello there!" = 16 bytes -> 4 tokens; n = 3 at max_completion_tokens 50 -> 150.
        var request = Read("""{"model":"m","messages":[{"role":"user","content":"Hello there!"}],"n":3,"max_tokens":999,"max_completion_tokens":50}""");

        Assert.Equal(4 + 150, request.EstimateTokens(completes: true));
    }

    [Fact]
    public void A_read_embeddings_request_estimates_end_to_end()
    {
        // 12 + 3 bytes of text -> ceil(15 / 4) = 4 tokens; 3 ids would be counted too, but here the input is text.
        var request = Read("""{"model":"m","input":["Hello world!","abc"]}""");

        Assert.Equal(4, request.EstimateTokens(completes: false));
    }
}
