using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Synaxis.Gateway.Health;

internal static class DownstreamHealthChecks
{
    public const string HttpClientName = "downstream-health";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// One readiness check per proxied cluster, so the gateway's <c>/health</c> is the aggregate of
    /// the services behind it. The list comes from the proxy configuration: a cluster added there is
    /// checked without another line here.
    /// </summary>
    public static void AddDownstreamHealthChecks(this IHostApplicationBuilder builder, IConfigurationSection clusters)
    {
        // No resilience pipeline: a probe must report what it sees now, not retry for 30 s.
        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = ProbeTimeout)
            .AddServiceDiscovery();

        var checks = builder.Services.AddHealthChecks();
        foreach (var cluster in clusters.GetChildren())
        {
            foreach (var destination in cluster.GetSection("Destinations").GetChildren())
            {
                var address = destination["Address"];
                if (string.IsNullOrWhiteSpace(address))
                {
                    continue;
                }

                var healthUri = new Uri(new Uri(address), Microsoft.Extensions.Hosting.Extensions.HealthEndpointPath);
                checks.Add(new HealthCheckRegistration(
                    cluster.Key,
                    sp => new DownstreamHealthCheck(sp.GetRequiredService<IHttpClientFactory>(), healthUri),
                    failureStatus: HealthStatus.Unhealthy,
                    tags: ["downstream"],
                    timeout: ProbeTimeout));
            }
        }
    }
}
