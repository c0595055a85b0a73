using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Synaxis.ServiceKit.Http;

/// <summary>
/// A body that is not JSON, or not the JSON the endpoint takes, is the client's mistake: answer with
/// its status (400, or 413 for a body over the limit) and say what was wrong, instead of a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        var detail = badRequest.InnerException is JsonException json
            ? $"The request body is not valid JSON for this endpoint: {json.Message}"
            : badRequest.Message;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Payload Too Large" : "Bad Request",
                Detail = detail,
            },
        });
    }
}
