using Microsoft.Extensions.Primitives;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Gateway.Proxy;

/// <summary>
/// One id per request, carried to every service (<see cref="RequestIdHeader"/>) and returned to the client.
/// A client's own <c>x-request-id</c> is kept only when it is a short plain token
/// (<see cref="RequestIdHeader.IsSane"/>), so it can never smuggle anything into logs or headers.
/// </summary>
internal static class RequestIds
{
    public const string HeaderName = RequestIdHeader.Name;

    public static string FromIncoming(StringValues incoming) =>
        incoming is { Count: 1 } && RequestIdHeader.IsSane(incoming[0]) ? incoming[0]! : RandomRequestIds.Next();

    /// <summary>
    /// Fixes the request id as <see cref="HttpContext.TraceIdentifier"/> (so ProblemDetails and logs show it)
    /// and writes it on every response, whoever produced it: proxy, challenge, fallback or exception handler.
    /// </summary>
    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            context.TraceIdentifier = FromIncoming(context.Request.Headers[HeaderName]);
            context.Response.OnStarting(static state =>
            {
                var httpContext = (HttpContext)state;
                httpContext.Response.Headers[HeaderName] = httpContext.TraceIdentifier;
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}
