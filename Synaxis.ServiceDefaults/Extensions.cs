using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Synaxis process shares: telemetry, health checks, service discovery and resilient
/// outgoing HTTP. Modelled on the Aspire service-defaults template.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Tag for checks that only say the process is up (served at <c>/alive</c>).</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// OpenTelemetry logs, metrics and traces exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the
    /// AppHost sets it for every service; so does a Kubernetes deployment with a collector). Without an exporter
    /// nothing is collected: an activity per request and a log record per message that nobody reads cost the hot
    /// path about a third of its throughput (bench/README.md). <c>Synaxis:Telemetry=always</c> collects anyway.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Every outbox poll and every query at Information level drowns the dashboard's logs; warnings still show.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);

        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!builder.CollectsTelemetry())
        {
            // ASP.NET Core starts an activity per request whenever this category can log at all (for log scopes),
            // and with one in place every outgoing HTTP call carries a traceparent and Redis commands are profiled
            // per activity. Nobody reads them here: the category only logs "request starting/finished" (Information).
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Synaxis.*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("Synaxis.*")
                .AddAspNetCoreInstrumentation(options =>
                    // Probes hit these every few seconds; tracing them only buries real requests.
                    options.Filter = context => !IsHealthProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (exporting)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// True when traces, metrics and logs are collected: an OTLP exporter is configured, or
    /// <c>Synaxis:Telemetry=always</c>. Integrations with their own tracing switch (Redis) follow it.
    /// </summary>
    public static bool CollectsTelemetry(this IHostApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || string.Equals(builder.Configuration["Synaxis:Telemetry"], "always", StringComparison.OrdinalIgnoreCase);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (ready: every registered check) and <c>/alive</c> (live-tagged checks only).
    /// Both are mapped in every environment: Kubernetes probes need them in production too, and they
    /// reveal nothing but a status word.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthReportWriter.WriteJsonAsync,
        });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteJsonAsync,
        });
        return app;
    }

    public static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);
}
