using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scalar.AspNetCore;
using Synaxis.ServiceKit.Security;

namespace Synaxis.ServiceKit.Http;

public static class ServiceApiExtensions
{
    /// <summary>
    /// ProblemDetails for every error answer, an OpenAPI document, and authentication by the gateway's
    /// signed internal identity with the <see cref="SynaxisPolicies"/> (endpoints opt in with
    /// <c>RequireAuthorization(SynaxisPolicies.Member)</c>; nothing is required by default).
    /// Each service calls <c>builder.Services.AddValidation()</c> itself: the validation source generator
    /// intercepts that call in the project whose request types it describes.
    /// </summary>
    public static TBuilder AddServiceApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // A body that is not JSON (or not the JSON an endpoint takes) becomes BadHttpRequestException, which
        // BadRequestExceptionHandler answers with a 400 naming the problem. Without this only Development throws,
        // and elsewhere the answer is a bare 400 that does not say what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi();
        builder.AddInternalIdentity();
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c>, <c>/alive</c> and <c>/openapi/v1.json</c>, turns bare error status codes
    /// (an unknown path's 404, say) into ProblemDetails, authenticates callers by the internal identity,
    /// and serves the Scalar UI in Development. Health, OpenAPI and Scalar stay anonymous.
    /// </summary>
    public static WebApplication UseServiceApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Routing runs first (WebApplication adds it at the start), so authorization sees each endpoint's policy.
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }
        return app;
    }
}
