using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Synaxis.Gateway.Health;

/// <summary>Asks one service behind the gateway for its readiness.</summary>
internal sealed class DownstreamHealthCheck(IHttpClientFactory httpClientFactory, Uri healthUri) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = httpClientFactory.CreateClient(DownstreamHealthChecks.HttpClientName);
        try
        {
            using var response = await client.GetAsync(healthUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{healthUri.Host} answered {(int)response.StatusCode}.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{healthUri.Host} could not be reached.");
        }
    }
}
