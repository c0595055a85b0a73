using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scalar.AspNetCore;

namespace Synaxis.ServiceKit.Http;

public static class ServiceApiExtensions
{
    /// <summary>ProblemDetails for every error answer, and an OpenAPI document.</summary>
    public static TBuilder AddServiceApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c>, <c>/alive</c> and <c>/openapi/v1.json</c>, turns bare error status codes
    /// (an unknown path's 404, say) into ProblemDetails, and serves the Scalar UI in Development.
    /// </summary>
    public static WebApplication UseServiceApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        return app;
    }
}
