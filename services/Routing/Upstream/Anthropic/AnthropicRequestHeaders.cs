using System.Net.Http.Headers;

namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>The headers every Anthropic Messages API call carries.</summary>
public static class AnthropicRequestHeaders
{
    /// <summary>The API version the translators speak.</summary>
    public const string ApiVersion = "2023-06-01";

    /// <summary>
    /// Sets <c>x-api-key</c>, <c>anthropic-version</c>, <c>accept</c> (SSE when
    /// <paramref name="stream"/>) and, when <paramref name="anthropicBeta"/> is given,
    /// <c>anthropic-beta</c>, replacing any already there; and <c>content-type: application/json</c>
    /// on the request's content, when it has content.
    /// </summary>
    public static void Apply(HttpRequestMessage request, string apiKey, bool stream = false, string? anthropicBeta = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        Set(request.Headers, "x-api-key", apiKey);
        Set(request.Headers, "anthropic-version", ApiVersion);
        if (!string.IsNullOrWhiteSpace(anthropicBeta))
        {
            Set(request.Headers, "anthropic-beta", anthropicBeta);
        }
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "text/event-stream" : "application/json"));
        if (request.Content is not null)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
    }

    /// <summary>A body from <see cref="AnthropicRequestTranslator.Translate"/> as content, typed <c>application/json</c>.</summary>
    public static ByteArrayContent JsonContent(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static void Set(HttpRequestHeaders headers, string name, string value)
    {
        headers.Remove(name);
        // Add validates: a key with a line break would otherwise smuggle a header.
        headers.Add(name, value);
    }
}
