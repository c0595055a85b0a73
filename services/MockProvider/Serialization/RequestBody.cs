using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.MockProvider.Apis;
using Synaxis.MockProvider.Models;

namespace Synaxis.MockProvider.Serialization;

/// <summary>
/// Reads a JSON request body by hand rather than through minimal-API binding, because binding failures
/// answer an empty 400 and a client of an OpenAI-compatible API expects OpenAI's error envelope.
/// </summary>
public static class RequestBody
{
    public static async ValueTask<ParsedBody<T>> ReadAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.BodyReader, typeInfo, cancellationToken);
            return value is null
                ? new ParsedBody<T>(null, OpenAiErrors.InvalidRequest("The request body must be a JSON object."))
                : new ParsedBody<T>(value, null);
        }
        catch (JsonException exception)
        {
            return new ParsedBody<T>(null, OpenAiErrors.InvalidRequest(Describe(exception), TrimPath(exception.Path)));
        }
    }

    private static string Describe(JsonException exception)
    {
        // The serializer's own messages name .NET types; the ones raised by our converters are for clients.
        var message = exception.Message;
        var internalDetail = message.Contains("System.", StringComparison.Ordinal) || message.Contains("Synaxis.", StringComparison.Ordinal);
        return internalDetail
            ? $"We could not parse the JSON body of your request (at {exception.Path ?? "$"}, line {exception.LineNumber + 1}). Send valid JSON matching the OpenAI API."
            : message;
    }

    private static string? TrimPath(string? path) =>
        path is null or "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}

public readonly record struct ParsedBody<T>(T? Value, JsonHttpResult<ErrorEnvelope>? Error) where T : class;
