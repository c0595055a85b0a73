using System.Buffers;
using System.Text.Json;

namespace Synaxis.Routing.Inference;

/// <summary>Tokens an upstream reports for one answer.</summary>
internal readonly record struct TokenUsage(long PromptTokens, long CompletionTokens)
{
    public long Total => PromptTokens + CompletionTokens;
}

/// <summary>
/// One upstream JSON object (a whole answer, or one stream chunk): its <c>usage</c> read, its top-level <c>model</c>
/// replaced by the name the client asked for, and whether it is the usage-only chunk of a stream (empty choices).
/// </summary>
internal static class UpstreamAnswer
{
    /// <summary>Rewrites <paramref name="json"/> into <paramref name="output"/>; false when it is not a JSON object.</summary>
    public static bool TryRewrite(ReadOnlySpan<byte> json, byte[] clientModel, IBufferWriter<byte> output, out TokenUsage? usage, out bool usageOnly)
    {
        usage = null;
        usageOnly = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        (int Start, int End)? model = null;
        var choices = -1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    model = JsonEdits.ValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    usage = ReadUsage(ref reader) ?? usage;
                }
                else if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        choices = 0;
                        var depth = reader.CurrentDepth;
                        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
                        {
                            if (reader.CurrentDepth == depth + 1 && reader.TokenType is JsonTokenType.StartObject)
                            {
                                choices++;
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        usageOnly = choices == 0 && usage is not null;
        if (model is { } range)
        {
            Span<JsonEdits.Edit> edit = [new JsonEdits.Edit(range.Start, range.End, clientModel)];
            JsonEdits.Apply(json, edit, output);
        }
        else
        {
            output.Write(json);
        }
        return true;
    }

    private static TokenUsage? ReadUsage(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        long prompt = 0, completion = 0;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1)
            {
                continue;
            }
            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
            {
                reader.Read();
                prompt = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var p) && p >= 0 ? p : prompt;
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
            {
                reader.Read();
                completion = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var c) && c >= 0 ? c : completion;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new TokenUsage(prompt, completion);
    }
}
