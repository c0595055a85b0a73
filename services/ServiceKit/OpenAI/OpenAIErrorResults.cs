using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Synaxis.ServiceKit.OpenAI;

/// <summary>Typed results that answer in OpenAI's error envelope.</summary>
public static class OpenAIErrorResults
{
    public static JsonHttpResult<OpenAIErrorResponse> Error(
        int statusCode, string message, string type, string? param = null, string? code = null) =>
        TypedResults.Json(
            new OpenAIErrorResponse(new OpenAIError(message, type, param, code)),
            OpenAIJsonContext.Readable.OpenAIErrorResponse,
            statusCode: statusCode);

    /// <summary>What OpenAI answers for a path it does not serve.</summary>
    public static JsonHttpResult<OpenAIErrorResponse> UnknownUrl(HttpRequest request) =>
        Error(StatusCodes.Status404NotFound, $"Invalid URL ({request.Method} {request.Path})", "invalid_request_error");
}
