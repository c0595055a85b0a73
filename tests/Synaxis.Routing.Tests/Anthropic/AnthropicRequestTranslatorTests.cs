using System.Text;
using System.Text.Json.Nodes;
using Synaxis.Routing.Upstream.Anthropic;
using static Synaxis.Routing.Tests.Anthropic.JsonAssert;

namespace Synaxis.Routing.Tests.Anthropic;

public sealed class AnthropicRequestTranslatorTests
{
    private const string Upstream = "claude-sonnet-4-5";

    private static JsonNode Translate(string openAiJson, string model = Upstream)
    {
        var body = AnthropicRequestTranslator.Translate(Encoding.UTF8.GetBytes(openAiJson), model, out var error);
        Assert.Null(error);
        Assert.NotNull(body);
        return JsonAssert.Parse(body);
    }

    private static string Error(string openAiJson)
    {
        var body = AnthropicRequestTranslator.Translate(Encoding.UTF8.GetBytes(openAiJson), Upstream, out var error);
        Assert.Null(body);
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error;
    }

    [Fact]
    public void A_minimal_request_gets_the_upstream_model_the_default_max_tokens_and_a_text_block()
    {
        var result = Translate("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""");
        JsonAssert.Equal(Fill("""
            {"model":"<<Upstream>>","max_tokens":4096,
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}
            """, ("Upstream", Upstream)), result);
    }

    [Fact]
    public void Max_tokens_is_taken_from_max_tokens()
    {
        var result = Translate("""{"messages":[{"role":"user","content":"Hi"}],"max_tokens":77}""");
        Assert.Equal(77, result["max_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void Max_completion_tokens_wins_over_max_tokens()
    {
        var result = Translate("""{"messages":[{"role":"user","content":"Hi"}],"max_tokens":77,"max_completion_tokens":12}""");
        Assert.Equal(12, result["max_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void A_null_max_tokens_counts_as_absent()
    {
        var result = Translate("""{"messages":[{"role":"user","content":"Hi"}],"max_tokens":null}""");
        Assert.Equal(AnthropicRequestTranslator.DefaultMaxTokens, result["max_tokens"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("\"100\"")]
    public void An_invalid_max_tokens_is_refused(string value)
    {
        Assert.Contains("max_tokens", Error(Fill("""{"messages":[{"role":"user","content":"Hi"}],"max_tokens":<<value>>}""", ("value", value))));
    }

    [Fact]
    public void System_and_developer_messages_anywhere_are_joined_into_system_as_strings_or_text_parts()
    {
        var result = Translate("""
            {"messages":[
              {"role":"system","content":"You are terse."},
              {"role":"developer","content":[{"type":"text","text":"Part A"},{"type":"text","text":""},{"type":"text","text":"Part B"}]},
              {"role":"user","content":"Hi"},
              {"role":"system","content":"Late rule."}
            ]}
            """);
        Assert.Equal("You are terse.\n\nPart A\n\nPart B\n\nLate rule.", result["system"]!.GetValue<string>());
        JsonAssert.Equal("""[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""", result["messages"]);
    }

    [Fact]
    public void Without_system_messages_there_is_no_system()
    {
        Assert.False(Translate("""{"messages":[{"role":"user","content":"Hi"}]}""").AsObject().ContainsKey("system"));
    }

    [Fact]
    public void A_system_image_part_is_refused()
    {
        var error = Error("""{"messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},{"role":"user","content":"Hi"}]}""");
        Assert.Contains("messages[0].content[0]", error);
    }

    [Fact]
    public void Only_system_messages_is_refused_as_anthropic_needs_a_turn()
    {
        Assert.Contains("at least one user or assistant", Error("""{"messages":[{"role":"system","content":"Be nice"}]}"""));
    }

    [Fact]
    public void Consecutive_same_role_messages_merge_and_empty_ones_vanish()
    {
        var result = Translate("""
            {"messages":[
              {"role":"user","content":"one"},
              {"role":"user","content":[{"type":"text","text":"two"}]},
              {"role":"assistant","content":"three"},
              {"role":"user","content":""},
              {"role":"assistant","content":[{"type":"text","text":"four"}]},
              {"role":"user","content":"five"}
            ]}
            """);
        JsonAssert.Equal("""
            [
              {"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},
              {"role":"assistant","content":[{"type":"text","text":"three"},{"type":"text","text":"four"}]},
              {"role":"user","content":[{"type":"text","text":"five"}]}
            ]
            """, result["messages"]);
    }

    [Fact]
    public void A_tool_conversation_round_trips_into_tool_use_and_merged_tool_result_blocks()
    {
        var result = Translate("""
            {"model":"gpt-4o","max_tokens":300,
             "messages":[
               {"role":"user","content":"Weather in Paris and Rome?"},
               {"role":"assistant","content":null,"tool_calls":[
                 {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                 {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\",\"units\":{\"t\":\"C\"}}"}}
               ]},
               {"role":"tool","tool_call_id":"call_1","content":"18C"},
               {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"21C"}]},
               {"role":"user","content":"Thanks, which is warmer?"}
             ],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
               "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],
             "tool_choice":"auto"}
            """);
        JsonAssert.Equal(Fill("""
            {"model":"<<Upstream>>","max_tokens":300,
             "messages":[
               {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
               {"role":"assistant","content":[
                 {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
                 {"type":"tool_use","id":"call_2","name":"get_weather","input":{"city":"Rome","units":{"t":"C"}}}
               ]},
               {"role":"user","content":[
                 {"type":"tool_result","tool_use_id":"call_1","content":"18C"},
                 {"type":"tool_result","tool_use_id":"call_2","content":[{"type":"text","text":"21C"}]},
                 {"type":"text","text":"Thanks, which is warmer?"}
               ]}
             ],
             "tools":[{"name":"get_weather","description":"Weather by city",
               "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],
             "tool_choice":{"type":"auto"}}
            """, ("Upstream", Upstream)), result);
    }

    [Fact]
    public void Assistant_text_comes_before_its_tool_calls_and_empty_arguments_become_an_empty_object()
    {
        var result = Translate("""
            {"messages":[{"role":"user","content":"Go"},
              {"role":"assistant","content":"Let me check.","tool_calls":[{"id":"c","type":"function","function":{"name":"now","arguments":""}}]},
              {"role":"tool","tool_call_id":"c","content":""}]}
            """);
        JsonAssert.Equal("""
            [{"role":"user","content":[{"type":"text","text":"Go"}]},
             {"role":"assistant","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"c","name":"now","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"c"}]}]
            """, result["messages"]);
    }

    [Fact]
    public void Tool_call_arguments_given_as_an_object_are_taken_as_they_are()
    {
        var result = Translate("""
            {"messages":[{"role":"user","content":"Go"},
              {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{"a":1}}}]}]}
            """);
        JsonAssert.Equal("""{"a":1}""", result["messages"]![1]!["content"]![0]!["input"]);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("42")]
    public void Tool_call_arguments_that_are_not_a_json_object_are_refused(string arguments)
    {
        var escaped = arguments.Replace("\"", "\\\"", StringComparison.Ordinal);
        var error = Error(Fill("""
            {"messages":[{"role":"user","content":"Go"},
              {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"<<escaped>>"}}]}]}
            """, ("escaped", escaped)));
        Assert.Contains("messages[1].tool_calls[0].function.arguments", error);
    }

    [Fact]
    public void A_tool_message_without_tool_call_id_is_refused()
    {
        Assert.Contains("messages[1].tool_call_id", Error("""{"messages":[{"role":"user","content":"Go"},{"role":"tool","content":"x"}]}"""));
    }

    [Fact]
    public void A_data_url_image_becomes_a_base64_source_and_an_https_url_a_url_source()
    {
        var result = Translate("""
            {"messages":[{"role":"user","content":[
              {"type":"text","text":"Compare"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo+/=","detail":"high"}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.webp"}},
              {"type":"image_url","image_url":"data:image/JPG;base64,/9j/4AAQ"}
            ]}]}
            """);
        JsonAssert.Equal("""
            [{"role":"user","content":[
              {"type":"text","text":"Compare"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo+/="}},
              {"type":"image","source":{"type":"url","url":"https://example.com/cat.webp"}},
              {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}}
            ]}]
            """, result["messages"]);
    }

    [Fact]
    public void Base64_data_is_written_without_json_escapes()
    {
        var body = AnthropicRequestTranslator.Translate(
            """{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,ab+/cd=="}}]}]}"""u8,
            Upstream, out _);
        Assert.Contains("\"data\":\"ab+/cd==\"", JsonAssert.Utf8(body!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data:image/bmp;base64,Qk0=", "image/bmp")]
    [InlineData("data:image/png,rawbytes", "base64")]
    [InlineData("data:image/png;base64", "','")]
    [InlineData("data:image/png;base64,", "no data")]
    [InlineData("ftp://example.com/a.png", "http(s)")]
    [InlineData("not a url", "http(s)")]
    public void Images_anthropic_cannot_take_are_refused(string url, string expectedInError)
    {
        var error = Error(Fill("""{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"<<url>>"}}]}]}""", ("url", url)));
        Assert.Contains("messages[0].content[0]", error);
        Assert.Contains(expectedInError, error);
    }

    [Fact]
    public void An_image_in_an_assistant_message_is_refused()
    {
        Error("""{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}""");
    }

    [Fact]
    public void A_pdf_file_part_becomes_a_document_block()
    {
        var result = Translate("""
            {"messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}}]}]}
            """);
        JsonAssert.Equal("""
            [{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}}]}]
            """, result["messages"]);
    }

    [Fact]
    public void A_file_id_reference_is_refused()
    {
        Assert.Contains("file_id", Error("""{"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-123"}}]}]}"""));
    }

    [Fact]
    public void An_audio_part_is_refused()
    {
        Assert.Contains("input_audio", Error("""{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA==","format":"wav"}}]}]}"""));
    }

    [Theory]
    [InlineData("\"auto\"", """{"type":"auto"}""")]
    [InlineData("\"none\"", """{"type":"none"}""")]
    [InlineData("\"required\"", """{"type":"any"}""")]
    [InlineData("""{"type":"function","function":{"name":"f"}}""", """{"type":"tool","name":"f"}""")]
    public void Tool_choice_is_mapped(string openAi, string anthropic)
    {
        var result = Translate(Fill("""
            {"messages":[{"role":"user","content":"x"}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],
             "tool_choice":<<openAi>>}
            """, ("openAi", openAi)));
        JsonAssert.Equal(anthropic, result["tool_choice"]);
    }

    [Theory]
    [InlineData(null, """{"type":"auto","disable_parallel_tool_use":true}""")]
    [InlineData("\"required\"", """{"type":"any","disable_parallel_tool_use":true}""")]
    [InlineData("\"none\"", """{"type":"none"}""")]
    public void Parallel_tool_calls_false_disables_parallel_tool_use(string? toolChoice, string expected)
    {
        var choice = toolChoice is null ? "" : $",\"tool_choice\":{toolChoice}";
        var result = Translate(Fill("""
            {"messages":[{"role":"user","content":"x"}],"parallel_tool_calls":false,
             "tools":[{"type":"function","function":{"name":"f"}}]<<choice>>}
            """, ("choice", choice)));
        JsonAssert.Equal(expected, result["tool_choice"]);
    }

    [Fact]
    public void Without_tools_no_tool_choice_is_sent_and_auto_or_none_are_harmless()
    {
        foreach (var choice in new[] { "\"auto\"", "\"none\"" })
        {
            var result = Translate(Fill("""{"messages":[{"role":"user","content":"x"}],"tools":[],"tool_choice":<<choice>>}""", ("choice", choice)));
            Assert.False(result.AsObject().ContainsKey("tool_choice"));
            Assert.False(result.AsObject().ContainsKey("tools"));
        }
    }

    [Fact]
    public void Required_tool_choice_without_tools_is_refused()
    {
        Assert.Contains("tool_choice", Error("""{"messages":[{"role":"user","content":"x"}],"tool_choice":"required"}"""));
    }

    [Fact]
    public void A_tool_without_parameters_gets_an_empty_object_schema_and_one_without_a_type_gets_object()
    {
        var result = Translate("""
            {"messages":[{"role":"user","content":"x"}],
             "tools":[{"type":"function","function":{"name":"a"}},
                      {"type":"function","function":{"name":"b","parameters":{"properties":{"q":{"type":"string"}}}}}]}
            """);
        JsonAssert.Equal("""
            [{"name":"a","input_schema":{"type":"object","properties":{}}},
             {"name":"b","input_schema":{"type":"object","properties":{"q":{"type":"string"}}}}]
            """, result["tools"]);
    }

    [Theory]
    [InlineData("""[{"type":"custom","custom":{"name":"x"}}]""", "tools[0].type")]
    [InlineData("""[{"type":"function","function":{"description":"no name"}}]""", "tools[0].function.name")]
    [InlineData("""[{"type":"function","function":{"name":"f","parameters":"string"}}]""", "tools[0].function.parameters")]
    [InlineData("""{"type":"function"}""", "'tools'")]
    public void Invalid_tools_are_refused(string tools, string expectedInError)
    {
        Assert.Contains(expectedInError, Error(Fill("""{"messages":[{"role":"user","content":"x"}],"tools":<<tools>>}""", ("tools", tools))));
    }

    [Theory]
    [InlineData("\"END\"", """["END"]""")]
    [InlineData("""["a","","b"]""", """["a","b"]""")]
    public void Stop_becomes_stop_sequences(string stop, string expected)
    {
        JsonAssert.Equal(expected, Translate(Fill("""{"messages":[{"role":"user","content":"x"}],"stop":<<stop>>}""", ("stop", stop)))["stop_sequences"]);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("null")]
    public void An_empty_stop_sends_no_stop_sequences(string stop)
    {
        Assert.False(Translate(Fill("""{"messages":[{"role":"user","content":"x"}],"stop":<<stop>>}""", ("stop", stop))).AsObject().ContainsKey("stop_sequences"));
    }

    [Fact]
    public void A_stop_array_with_a_number_is_refused()
    {
        Assert.Contains("stop", Error("""{"messages":[{"role":"user","content":"x"}],"stop":["a",1]}"""));
    }

    [Fact]
    public void Temperature_and_top_p_pass_and_a_temperature_above_one_is_capped_at_one()
    {
        var result = Translate("""{"messages":[{"role":"user","content":"x"}],"temperature":0.7,"top_p":0.9,"top_k":40}""");
        Assert.Equal(0.7, result["temperature"]!.GetValue<double>());
        Assert.Equal(0.9, result["top_p"]!.GetValue<double>());
        Assert.Equal(40, result["top_k"]!.GetValue<long>());
        Assert.Equal(1.0, Translate("""{"messages":[{"role":"user","content":"x"}],"temperature":1.6}""")["temperature"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("\"temperature\":2.5", "temperature")]
    [InlineData("\"temperature\":-0.1", "temperature")]
    [InlineData("\"temperature\":\"hot\"", "temperature")]
    [InlineData("\"top_p\":1.5", "top_p")]
    [InlineData("\"top_k\":-1", "top_k")]
    public void Out_of_range_sampling_is_refused(string property, string expectedInError)
    {
        Assert.Contains(expectedInError, Error(Fill("""{"messages":[{"role":"user","content":"x"}],<<property>>}""", ("property", property))));
    }

    [Fact]
    public void Stream_passes_stream_options_and_openai_only_parameters_are_dropped()
    {
        var result = Translate("""
            {"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true},
             "frequency_penalty":0.5,"presence_penalty":0.1,"seed":7,"logit_bias":{"1":2},"store":false,
             "metadata":{"k":"v"},"service_tier":"auto","n":1,"logprobs":false,"response_format":{"type":"text"},"user":"u-42"}
            """);
        JsonAssert.Equal(Fill("""
            {"model":"<<Upstream>>","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
             "metadata":{"user_id":"u-42"},"stream":true}
            """, ("Upstream", Upstream)), result);
    }

    [Theory]
    [InlineData("\"n\":2", "'n'")]
    [InlineData("\"logprobs\":true", "logprobs")]
    [InlineData("\"response_format\":{\"type\":\"json_object\"}", "json_object")]
    [InlineData("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{}}}", "json_schema")]
    [InlineData("\"functions\":[{\"name\":\"f\"}]", "functions")]
    [InlineData("\"audio\":{\"voice\":\"alloy\",\"format\":\"wav\"}", "Audio")]
    [InlineData("\"modalities\":[\"text\",\"audio\"]", "modality")]
    [InlineData("\"stream\":\"yes\"", "stream")]
    [InlineData("\"parallel_tool_calls\":\"no\"", "parallel_tool_calls")]
    public void Parameters_anthropic_cannot_honour_are_refused(string property, string expectedInError)
    {
        Assert.Contains(expectedInError, Error(Fill("""{"messages":[{"role":"user","content":"x"}],<<property>>}""", ("property", property))));
    }

    [Theory]
    [InlineData("""{"role":"function","name":"f","content":"x"}""", "function")]
    [InlineData("""{"role":"robot","content":"x"}""", "robot")]
    [InlineData("""{"content":"x"}""", "messages[0].role")]
    [InlineData("""{"role":"user"}""", "messages[0].content")]
    [InlineData("""{"role":"user","content":42}""", "messages[0].content")]
    [InlineData("""{"role":"user","content":[{"text":"no type"}]}""", "messages[0].content[0].type")]
    [InlineData("""{"role":"user","content":[{"type":"text"}]}""", "messages[0].content[0].text")]
    [InlineData("""{"role":"assistant","function_call":{"name":"f","arguments":"{}"}}""", "function_call")]
    [InlineData("""{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"arguments":"{}"}}]}""", "messages[0].tool_calls[0].function.name")]
    [InlineData("""{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f"}}]}""", "messages[0].tool_calls[0].id")]
    [InlineData("\"just a string\"", "messages[0]")]
    public void Invalid_messages_are_refused_with_their_path(string message, string expectedInError)
    {
        Assert.Contains(expectedInError, Error(Fill("""{"messages":[<<message>>]}""", ("message", message))));
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"messages\":[", "not valid JSON")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} {}", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("{}", "messages")]
    [InlineData("{\"messages\":{}}", "messages")]
    [InlineData("{\"messages\":[]}", "at least one message")]
    public void Bodies_that_are_not_a_chat_request_are_refused(string body, string expectedInError)
    {
        Assert.Contains(expectedInError, Error(body));
    }

    [Fact]
    public void Trailing_whitespace_after_the_body_is_fine()
    {
        Translate("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}  \n");
    }

    [Fact]
    public void An_assistant_refusal_part_is_kept_as_text()
    {
        var result = Translate("""
            {"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"refusal","refusal":"I can't."}]},{"role":"user","content":"ok"}]}
            """);
        JsonAssert.Equal("""{"role":"assistant","content":[{"type":"text","text":"I can't."}]}""", result["messages"]![1]);
    }

    [Fact]
    public void Text_with_escapes_and_non_ascii_survives()
    {
        const string text = "Quote \" backslash \\ newline \n tab \t emoji 😀 accents éß 中文 </script>";
        var request = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
        };
        var result = Translate(request.ToJsonString());
        Assert.Equal(text, result["messages"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"bad \ud800 surrogate"}]}""")]
    [InlineData("""{"messages":[{"role":"system","content":"bad \udc00"},{"role":"user","content":"x"}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"text","text":"\ud800"}]}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"temperature":1e400}""")]
    public void Valid_json_that_cannot_be_sent_on_is_an_error_not_an_exception(string body)
    {
        Error(body);
    }

    [Fact]
    public void An_empty_upstream_model_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => AnthropicRequestTranslator.Translate("{}"u8, "", out _));
    }
}
