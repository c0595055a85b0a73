using Synaxis.Gateway.Admission;
using Synaxis.Gateway.Health;
using Synaxis.Gateway.Proxy;
using Synaxis.Gateway.Security;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Gateway.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.AddGatewayForwardedHeaders();
        // API-key verdicts, failure counters, revocations and last use are shared with every gateway and Keys.
        builder.AddSynaxisRedis();
        builder.AddGatewayAuthentication();
        builder.AddInferenceAdmission();

        var proxyConfig = builder.Configuration.GetSection("ReverseProxy");
        builder.Services.AddReverseProxy()
            .LoadFromConfig(proxyConfig)
            .AddServiceDiscoveryDestinationResolver()
            .AddInternalIdentityTransforms();

        builder.AddDownstreamHealthChecks(proxyConfig.GetSection("Clusters"));
    }

    public static WebApplication UseGateway(this WebApplication app)
    {
        // First: everything after it (request logs, the failure limiter's per-address counters) sees the client's address.
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseRequestIds();
        // Routing runs first (WebApplication adds it at the start), so authorization sees each route's policy.
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapReverseProxy(proxy => proxy.UseInferenceAdmission());
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
