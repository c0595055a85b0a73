using System.Globalization;
using Microsoft.Net.Http.Headers;
using Synaxis.ServiceKit.OpenAI;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Security;

/// <summary>
/// The gateway's own refusals (authentication, scope, failure limiter) in the dialect of the caller: OpenAI's
/// error envelope under <c>/v1</c>, as the OpenAI SDKs parse it, and ProblemDetails everywhere else.
/// </summary>
internal static class GatewayProblems
{
    public const string InferencePath = "/v1";

    public static bool IsInference(HttpContext context) => context.Request.Path.StartsWithSegments(InferencePath);

    public static Task WriteUnauthorizedAsync(HttpContext context, string detail) =>
        IsInference(context)
            ? WriteOpenAIAsync(context, StatusCodes.Status401Unauthorized, detail, "invalid_request_error", "invalid_api_key")
            : SecurityProblems.WriteUnauthorizedAsync(context, detail);

    public static Task WriteForbiddenAsync(HttpContext context, string detail) =>
        IsInference(context)
            ? WriteOpenAIAsync(context, StatusCodes.Status403Forbidden, detail, "invalid_request_error", "permission_denied")
            : SecurityProblems.WriteForbiddenAsync(context, detail);

    public static Task WriteTooManyRequestsAsync(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers[HeaderNames.RetryAfter] =
            Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return IsInference(context)
            ? WriteOpenAIAsync(context, StatusCodes.Status429TooManyRequests, detail, "rate_limit_exceeded", "rate_limit_exceeded")
            : SecurityProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too Many Requests", detail);
    }

    public static Task WriteUnavailableAsync(HttpContext context, string detail)
    {
        context.Response.Headers[HeaderNames.RetryAfter] = "1";
        return IsInference(context)
            ? WriteOpenAIAsync(context, StatusCodes.Status503ServiceUnavailable, detail, "server_error", "service_unavailable")
            : SecurityProblems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable", detail);
    }

    /// <summary>431: the caller's identity (say, a token with hundreds of groups) is too large to forward to the services.</summary>
    public static Task WriteIdentityTooLargeAsync(HttpContext context, string detail) =>
        IsInference(context)
            ? WriteOpenAIAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, detail, "invalid_request_error", "identity_too_large")
            : SecurityProblems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request Header Fields Too Large", detail);

    /// <summary>An inference answer of the gateway's own (admission, body checks) in OpenAI's error envelope.</summary>
    public static Task WriteInferenceErrorAsync(HttpContext context, int statusCode, string message, string type, string code) =>
        WriteOpenAIAsync(context, statusCode, message, type, code);

    private static Task WriteOpenAIAsync(HttpContext context, int statusCode, string message, string type, string code)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(
            new OpenAIErrorResponse(new OpenAIError(message, type, Param: null, Code: code)),
            OpenAIJsonContext.Readable.OpenAIErrorResponse,
            contentType: "application/json; charset=utf-8",
            context.RequestAborted);
    }
}
