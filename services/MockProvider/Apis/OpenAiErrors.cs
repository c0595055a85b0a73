using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.MockProvider.Models;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Apis;

/// <summary>The error answers of the mock, worded and typed as OpenAI's own.</summary>
public static class OpenAiErrors
{
    public const string InvalidRequestType = "invalid_request_error";

    // Fixed answers are built once: faults are injected on hot benchmark paths too.
    private static readonly ErrorEnvelope InvalidApiKeyEnvelope = new(new ErrorBody(
        "Incorrect API key provided. The mock provider expects the key set in MockProvider:ApiKey.",
        InvalidRequestType, null, "invalid_api_key"));

    private static readonly ErrorEnvelope RateLimitEnvelope = new(new ErrorBody(
        "Rate limit reached for requests (injected by the mock provider). Please try again later.",
        "requests", null, "rate_limit_exceeded"));

    private static readonly ErrorEnvelope ServerErrorEnvelope = new(new ErrorBody(
        "The server had an error while processing your request (injected by the mock provider).",
        "server_error", null, null));

    public static JsonHttpResult<ErrorEnvelope> InvalidRequest(string message, string? param = null, string? code = null) =>
        Create(StatusCodes.Status400BadRequest, new ErrorEnvelope(new ErrorBody(message, InvalidRequestType, param, code)));

    public static JsonHttpResult<ErrorEnvelope> MissingParameter(string param) =>
        InvalidRequest($"Missing required parameter: '{param}'.", param, "missing_required_parameter");

    public static JsonHttpResult<ErrorEnvelope> InvalidApiKey() =>
        Create(StatusCodes.Status401Unauthorized, InvalidApiKeyEnvelope);

    public static JsonHttpResult<ErrorEnvelope> ModelNotFound(string model) =>
        Create(StatusCodes.Status404NotFound, new ErrorEnvelope(new ErrorBody(
            $"The model '{model}' does not exist or you do not have access to it.",
            InvalidRequestType, "model", "model_not_found")));

    public static JsonHttpResult<ErrorEnvelope> UnknownUrl(string method, string path) =>
        Create(StatusCodes.Status404NotFound, new ErrorEnvelope(new ErrorBody(
            $"Invalid URL ({method} {path})", InvalidRequestType, null, null)));

    public static JsonHttpResult<ErrorEnvelope> RateLimited() =>
        Create(StatusCodes.Status429TooManyRequests, RateLimitEnvelope);

    public static JsonHttpResult<ErrorEnvelope> ServerError() =>
        Create(StatusCodes.Status500InternalServerError, ServerErrorEnvelope);

    private static JsonHttpResult<ErrorEnvelope> Create(int statusCode, ErrorEnvelope envelope) =>
        TypedResults.Json(envelope, MockJson.Context.ErrorEnvelope, statusCode: statusCode);
}
