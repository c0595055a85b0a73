using System.Buffers;
using System.Text.Json;

namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>An Anthropic error as OpenAI would have answered it: the status to answer with, and the envelope.</summary>
/// <param name="StatusCode">The upstream status, except 529 (overloaded, not a standard status) → 503 and a billing refusal (402) → 503.</param>
/// <param name="Body">UTF-8 <c>{"error": {"message", "type", "param": null, "code"}}</c>.</param>
public sealed record AnthropicTranslatedError(int StatusCode, string Message, string Type, string? Code, byte[] Body);

/// <summary>
/// Anthropic's error body (<c>{"type": "error", "error": {"type", "message"}}</c>) and status as
/// OpenAI's error envelope.
/// </summary>
public static class AnthropicErrorTranslator
{
    /// <summary>
    /// Translates an Anthropic error answer. A body that is not Anthropic's error shape (a proxy's
    /// HTML page, an empty body) still gives an envelope, worded from the status.
    /// </summary>
    public static AnthropicTranslatedError Translate(ReadOnlySpan<byte> anthropicErrorBody, int statusCode)
    {
        var (anthropicType, message) = Read(anthropicErrorBody);
        var (type, code, status) = Map(anthropicType, statusCode);
        if (string.IsNullOrEmpty(message))
        {
            message = $"The upstream provider answered HTTP {statusCode}.";
        }
        return new AnthropicTranslatedError(status, message, type, code, Envelope(message, type, code));
    }

    /// <summary>
    /// Anthropic's error type (or, when unknown, the status) as OpenAI's <c>type</c> and <c>code</c>,
    /// and the status to answer with. The conventions are OpenAI's own: authentication, permission
    /// and not-found are <c>invalid_request_error</c>s told apart by code.
    /// </summary>
    internal static (string Type, string? Code, int StatusCode) Map(string? anthropicType, int statusCode) => anthropicType switch
    {
        "invalid_request_error" => ("invalid_request_error", null, StatusOr(statusCode, 400)),
        "authentication_error" => ("invalid_request_error", "invalid_api_key", StatusOr(statusCode, 401)),
        "permission_error" => ("invalid_request_error", "permission_denied", StatusOr(statusCode, 403)),
        "not_found_error" => ("invalid_request_error", "model_not_found", StatusOr(statusCode, 404)),
        "request_too_large" => ("invalid_request_error", "request_too_large", StatusOr(statusCode, 413)),
        "rate_limit_error" => ("requests", "rate_limit_exceeded", StatusOr(statusCode, 429)),
        // The gateway's upstream account is out of credit: nothing the client can fix.
        "billing_error" => ("server_error", null, 503),
        "overloaded_error" => ("server_error", null, 503),
        "api_error" or "timeout_error" => ("server_error", null, StatusOr(statusCode, 500)),
        _ => ByStatus(statusCode),
    };

    private static (string Type, string? Code, int StatusCode) ByStatus(int statusCode) => statusCode switch
    {
        401 => ("invalid_request_error", "invalid_api_key", 401),
        403 => ("invalid_request_error", "permission_denied", 403),
        404 => ("invalid_request_error", "model_not_found", 404),
        429 => ("requests", "rate_limit_exceeded", 429),
        402 or 529 => ("server_error", null, 503),
        >= 400 and < 500 => ("invalid_request_error", null, statusCode),
        >= 500 and < 600 => ("server_error", null, statusCode),
        _ => ("server_error", null, 502),
    };

    /// <summary>An error status stays; a non-error one (an error event inside a 200 stream) takes the type's usual status.</summary>
    private static int StatusOr(int statusCode, int usual) => statusCode is >= 400 and < 600 and not 529 ? statusCode : usual;

    private static (string? Type, string? Message) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            return (StringOrNull(error, "type"), StringOrNull(error, "message"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static byte[] Envelope(string message, string type, string? code)
    {
        var output = new ArrayBufferWriter<byte>(128 + message.Length);
        using (var writer = new Utf8JsonWriter(output, AnthropicJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error"u8);
            writer.WriteString("message"u8, message);
            writer.WriteString("type"u8, type);
            writer.WriteNull("param"u8);
            if (code is null)
            {
                writer.WriteNull("code"u8);
            }
            else
            {
                writer.WriteString("code"u8, code);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return output.WrittenSpan.ToArray();
    }
}
