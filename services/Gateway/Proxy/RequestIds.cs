using System.Buffers;
using Microsoft.Extensions.Primitives;

namespace Synaxis.Gateway.Proxy;

/// <summary>
/// One id per request, carried to every service (header and signed identity) and returned to the client.
/// A client's own <c>x-request-id</c> is kept only when it is a short plain token, so it can never smuggle
/// anything into logs or headers.
/// </summary>
internal static class RequestIds
{
    public const string HeaderName = "x-request-id";
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static string FromIncoming(StringValues incoming) =>
        incoming is { Count: 1 } && IsSane(incoming[0]) ? incoming[0]! : Guid.CreateVersion7().ToString("N");

    public static bool IsSane(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && !value.AsSpan().ContainsAnyExcept(Allowed);

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
