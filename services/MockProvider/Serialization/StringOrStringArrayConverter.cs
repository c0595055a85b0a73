using System.Text.Json;
using System.Text.Json.Serialization;

namespace Synaxis.MockProvider.Serialization;

/// <summary>
/// Reads OpenAI's "string or array of strings" fields (<c>prompt</c>, <c>input</c>) as an array.
/// Token arrays (numbers) are valid for OpenAI but meaningless without its tokenizer, so they are
/// refused with a clear message instead of being answered with made-up vectors.
/// </summary>
public sealed class StringOrStringArrayConverter : JsonConverter<string[]?>
{
    public override bool HandleNull => true;

    public override string[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString()!,
                        JsonTokenType.Number or JsonTokenType.StartArray =>
                            throw new JsonException("Token arrays are not supported by the mock provider; send strings."),
                        _ => throw new JsonException("Expected a string or an array of strings."),
                    });
                }

                return [.. items];
            default:
                throw new JsonException("Expected a string or an array of strings.");
        }
    }

    public override void Write(Utf8JsonWriter writer, string[]? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}
