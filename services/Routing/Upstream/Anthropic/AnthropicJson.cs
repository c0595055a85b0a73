using System.Text.Encodings.Web;
using System.Text.Json;

namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>What the Anthropic translators share: writer options, stop-reason and usage reading.</summary>
internal static class AnthropicJson
{
    /// <summary>
    /// Compact output; text written as it is (no <c>\u002B</c> for <c>+</c> in base64, no escaped
    /// non-ASCII). Safe: these bodies are <c>application/json</c> or SSE, never embedded in HTML.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public const string FinishStop = "stop";
    public const string FinishLength = "length";
    public const string FinishToolCalls = "tool_calls";
    public const string FinishContentFilter = "content_filter";

    /// <summary>
    /// Anthropic's <c>stop_reason</c> as OpenAI's <c>finish_reason</c>: <c>end_turn</c>,
    /// <c>stop_sequence</c> and <c>pause_turn</c> → <c>stop</c>; <c>max_tokens</c> and
    /// <c>model_context_window_exceeded</c> → <c>length</c>; <c>tool_use</c> → <c>tool_calls</c>;
    /// <c>refusal</c> → <c>content_filter</c>; anything newer → <c>stop</c>.
    /// </summary>
    public static string MapStopReason(ReadOnlySpan<byte> utf8StopReason)
    {
        if (utf8StopReason.SequenceEqual("max_tokens"u8) || utf8StopReason.SequenceEqual("model_context_window_exceeded"u8))
        {
            return FinishLength;
        }
        if (utf8StopReason.SequenceEqual("tool_use"u8))
        {
            return FinishToolCalls;
        }
        return utf8StopReason.SequenceEqual("refusal"u8) ? FinishContentFilter : FinishStop;
    }

    /// <summary>Maps the string token the reader is on (stop reasons never need unescaping).</summary>
    public static string MapStopReason(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return MapStopReason(reader.ValueSpan);
        }
        var text = reader.GetString()!;
        return MapStopReason(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// The raw JSON of the string token the reader is on, quotes and escapes included, as a slice of
    /// <paramref name="json"/>: written back with <c>WriteRawValue</c> it needs no unescaping and
    /// re-escaping. Only for readers over a single span (no value sequences).
    /// </summary>
    public static ReadOnlySpan<byte> RawString(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, found {reader.TokenType}.");
        }
        var start = (int)reader.TokenStartIndex;
        return json[start..(int)reader.BytesConsumed];
    }

    /// <summary>True for a raw JSON string that is <c>""</c>.</summary>
    public static bool IsEmptyRawString(ReadOnlySpan<byte> raw) => raw.Length <= 2;

    /// <summary>Reads an Anthropic <c>usage</c> object (reader on its StartObject) into <paramref name="usage"/>: present numbers replace, absent or null ones keep.</summary>
    public static void ReadUsage(ref Utf8JsonReader reader, ref UsageCounts usage)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("usage must be an object.");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                usage.Input = ReadCount(ref reader) ?? usage.Input;
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                usage.Output = ReadCount(ref reader) ?? usage.Output;
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                usage.CacheCreation = ReadCount(ref reader) ?? usage.CacheCreation;
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                usage.CacheRead = ReadCount(ref reader) ?? usage.CacheRead;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static long? ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.Number => reader.GetInt64(),
            _ => throw new JsonException("Token counts must be integers."),
        };
    }

    /// <summary>Anthropic's four usage numbers, as they stand.</summary>
    internal struct UsageCounts
    {
        public long Input;
        public long Output;
        public long CacheCreation;
        public long CacheRead;

        public readonly AnthropicUsage ToUsage() =>
            new(Input + CacheCreation + CacheRead, Output, CacheRead);
    }
}
