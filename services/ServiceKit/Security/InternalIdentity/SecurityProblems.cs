using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Synaxis.ServiceKit.Security;

/// <summary>401 and 403 answers as ProblemDetails, for authentication handlers (services and gateway).</summary>
public static class SecurityProblems
{
    public const string UnauthorizedTitle = "Unauthorized";
    public const string ForbiddenTitle = "Forbidden";

    public static Task WriteUnauthorizedAsync(HttpContext context, string detail) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, UnauthorizedTitle, detail);

    public static Task WriteForbiddenAsync(HttpContext context, string detail) =>
        WriteAsync(context, StatusCodes.Status403Forbidden, ForbiddenTitle, detail);

    public static async Task WriteAsync(HttpContext context, int statusCode, string title, string detail)
    {
        context.Response.StatusCode = statusCode;
        var problems = context.RequestServices.GetService<IProblemDetailsService>();
        if (problems is null)
        {
            return; // the status code alone still says it
        }
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = statusCode, Title = title, Detail = detail },
        });
    }
}
