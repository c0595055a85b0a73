using System.Text.Encodings.Web;
using System.Text.Json;

namespace Synaxis.MockProvider.Serialization;

/// <summary>
/// The source-generated context with OpenAI's escaping: text is written as plain UTF-8 ("it's", "ü",
/// "&lt;b&gt;") instead of <c>\u0027</c>-style escapes. The default encoder guards JSON embedded in HTML;
/// these answers are only ever read as JSON, and streamed byte counts then match a real provider's.
/// </summary>
public static class MockJson
{
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static MockJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = Encoder,
    });
}
