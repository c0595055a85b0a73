using Synaxis.Gateway.Health;

namespace Synaxis.Gateway.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();

        var proxyConfig = builder.Configuration.GetSection("ReverseProxy");
        builder.Services.AddReverseProxy()
            .LoadFromConfig(proxyConfig)
            .AddServiceDiscoveryDestinationResolver();

        builder.AddDownstreamHealthChecks(proxyConfig.GetSection("Clusters"));
    }

    public static WebApplication UseGateway(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.MapDefaultEndpoints();
        app.MapReverseProxy();
        app.MapUnknownPathFallback();
        return app;
    }

    /// <summary>
    /// Anything no route claims answers a 404 in the dialect of its caller: OpenAI's error envelope
    /// for <c>/v1</c> (handled by Routing, which owns that prefix) and ProblemDetails everywhere else.
    /// </summary>
    private static void MapUnknownPathFallback(this WebApplication app) =>
        app.MapFallback((HttpContext context) => TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Not Found",
            detail: $"No Synaxis API is served at '{context.Request.Path}'."));
}
