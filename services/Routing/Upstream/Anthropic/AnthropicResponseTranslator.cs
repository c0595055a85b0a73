using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>
/// An Anthropic Messages API message (a non-streamed 2xx body) as an OpenAI <c>chat.completion</c>.
/// </summary>
/// <remarks>
/// Text blocks are concatenated into <c>message.content</c> (<c>null</c> when the answer is only tool
/// calls, as OpenAI does); <c>tool_use</c> blocks become <c>tool_calls</c> with their input as a JSON
/// string. Thinking and server-tool blocks have no Chat Completions counterpart and are left out.
/// </remarks>
public static class AnthropicResponseTranslator
{
    public static byte[] Translate(ReadOnlySpan<byte> anthropicMessageJson, string clientModel, long createdUnixSeconds) =>
        Translate(anthropicMessageJson, clientModel, createdUnixSeconds, out _);

    /// <summary>Translates and hands back the usage, for metering.</summary>
    /// <exception cref="AnthropicProtocolException">The body is not an Anthropic message.</exception>
    public static byte[] Translate(ReadOnlySpan<byte> anthropicMessageJson, string clientModel, long createdUnixSeconds, out AnthropicUsage usage)
    {
        ArgumentNullException.ThrowIfNull(clientModel);
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(anthropicMessageJson, new JsonReaderOptions { MaxDepth = 256 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new AnthropicProtocolException("The upstream answer is not valid JSON.", ex);
        }

        using (document)
        {
            try
            {
                return Write(document.RootElement, clientModel, createdUnixSeconds, anthropicMessageJson.Length, out usage);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            {
                throw new AnthropicProtocolException($"The upstream answer is not an Anthropic message: {ex.Message}", ex);
            }
        }
    }

    private static byte[] Write(JsonElement root, string clientModel, long created, int sizeHint, out AnthropicUsage usage)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AnthropicProtocolException("The upstream answer is not a JSON object.");
        }
        if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("error"u8))
        {
            throw new AnthropicProtocolException("The upstream answered 2xx with an error object.");
        }
        if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new AnthropicProtocolException("The upstream message has no 'id'.");
        }

        var texts = new List<JsonElement>();
        var toolUses = new List<JsonElement>();
        if (root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var blockType))
                {
                    continue;
                }
                if (blockType.ValueEquals("text"u8) && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    texts.Add(text);
                }
                else if (blockType.ValueEquals("tool_use"u8))
                {
                    toolUses.Add(block);
                }
            }
        }

        var counts = default(AnthropicJson.UsageCounts);
        if (root.TryGetProperty("usage", out var usageElement) && usageElement.ValueKind == JsonValueKind.Object)
        {
            counts.Input = Count(usageElement, "input_tokens");
            counts.Output = Count(usageElement, "output_tokens");
            counts.CacheCreation = Count(usageElement, "cache_creation_input_tokens");
            counts.CacheRead = Count(usageElement, "cache_read_input_tokens");
        }
        usage = counts.ToUsage();

        var finishReason = AnthropicJson.FinishStop;
        if (root.TryGetProperty("stop_reason", out var stopReason) && stopReason.ValueKind == JsonValueKind.String)
        {
            finishReason = AnthropicJson.MapStopReason(Encoding.UTF8.GetBytes(stopReason.GetString()!));
        }

        var output = new ArrayBufferWriter<byte>(Math.Max(256, sizeHint + 128));
        using (var writer = new Utf8JsonWriter(output, AnthropicJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, "chatcmpl-" + id.GetString());
            writer.WriteString("object"u8, "chat.completion"u8);
            writer.WriteNumber("created"u8, created);
            writer.WriteString("model"u8, clientModel);
            writer.WriteStartArray("choices"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, 0);
            writer.WriteStartObject("message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            WriteContent(writer, texts, hasToolCalls: toolUses.Count > 0);
            writer.WriteNull("refusal"u8);
            if (toolUses.Count > 0)
            {
                writer.WriteStartArray("tool_calls"u8);
                foreach (var toolUse in toolUses)
                {
                    WriteToolCall(writer, toolUse);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
            writer.WriteNull("logprobs"u8);
            writer.WriteString("finish_reason"u8, finishReason);
            writer.WriteEndObject();
            writer.WriteEndArray();
            WriteUsage(writer, usage);
            writer.WriteEndObject();
        }
        return output.WrittenSpan.ToArray();
    }

    private static void WriteContent(Utf8JsonWriter writer, List<JsonElement> texts, bool hasToolCalls)
    {
        switch (texts.Count)
        {
            case 0 when hasToolCalls:
                writer.WriteNull("content"u8);
                break;
            case 0:
                writer.WriteString("content"u8, ""u8);
                break;
            case 1:
                writer.WritePropertyName("content"u8);
                texts[0].WriteTo(writer);
                break;
            default:
                var joined = new StringBuilder();
                foreach (var text in texts)
                {
                    joined.Append(text.GetString());
                }
                writer.WriteString("content"u8, joined.ToString());
                break;
        }
    }

    private static void WriteToolCall(Utf8JsonWriter writer, JsonElement toolUse)
    {
        if (!toolUse.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
            || !toolUse.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            throw new AnthropicProtocolException("An upstream tool_use block has no 'id' or 'name'.");
        }
        writer.WriteStartObject();
        writer.WritePropertyName("id"u8);
        id.WriteTo(writer);
        writer.WriteString("type"u8, "function"u8);
        writer.WriteStartObject("function"u8);
        writer.WritePropertyName("name"u8);
        name.WriteTo(writer);
        writer.WriteString("arguments"u8, toolUse.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null
            ? CompactJson(input)
            : "{}");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The element as compact JSON text (what OpenAI puts in <c>arguments</c>).</summary>
    private static string CompactJson(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
        {
            element.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static void WriteUsage(Utf8JsonWriter writer, AnthropicUsage usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        writer.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        writer.WriteStartObject("prompt_tokens_details"u8);
        writer.WriteNumber("cached_tokens"u8, usage.CachedPromptTokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static long Count(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}
