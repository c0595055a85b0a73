using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Synaxis.MockProvider.Serialization;

/// <summary>
/// Reads a chat message's <c>content</c>: a string, <c>null</c>, or an array of parts
/// (<c>{"type":"text","text":"…"}</c>, images, audio…). Only text matters to the mock, so the parts'
/// texts are joined with a newline and everything else is skipped rather than rejected.
/// </summary>
public sealed class MessageContentConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartArray:
                return ReadParts(ref reader);
            default:
                throw new JsonException("'content' must be a string or an array of content parts.");
        }
    }

    private static string ReadParts(ref Utf8JsonReader reader)
    {
        // Most multi-part messages carry a single text part: keep it without a builder.
        string? single = null;
        StringBuilder? joined = null;

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("Each content part must be an object.");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var isText = reader.ValueTextEquals("text"u8);
                reader.Read();
                if (isText && reader.TokenType == JsonTokenType.String)
                {
                    var text = reader.GetString()!;
                    if (single is null && joined is null)
                    {
                        single = text;
                    }
                    else
                    {
                        joined ??= new StringBuilder(single);
                        joined.Append('\n').Append(text);
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return joined?.ToString() ?? single ?? string.Empty;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
