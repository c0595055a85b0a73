using System.Text.Json;
using System.Text.Json.Serialization;

namespace Synaxis.ServiceKit.OpenAI;

/// <summary>OpenAI's error envelope, <c>{"error": {"message", "type", "param", "code"}}</c>, which every <c>/v1</c> error uses.</summary>
public sealed record OpenAIErrorResponse(OpenAIError Error);

public sealed record OpenAIError(string Message, string Type, string? Param = null, string? Code = null);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OpenAIErrorResponse))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Writes messages as OpenAI does, with quotes and apostrophes as they are (<c>don't</c>, not
    /// <c>don\u0027t</c>). Safe here: these bodies are <c>application/json</c>, never embedded in HTML.
    /// </summary>
    public static OpenAIJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
