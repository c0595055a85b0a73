using Synaxis.Routing.Catalog;
using Synaxis.Routing.Model;
using Synaxis.Routing.Upstream.Anthropic;

namespace Synaxis.Routing.Inference;

/// <summary>
/// The periodic probe: every <see cref="Interval"/>, each provider whose circuit is open (or half-open) gets one cheap
/// call (<c>GET models</c>, with its key) once its cooldown has passed; the outcome feeds <see cref="ProviderHealth"/>
/// like a real call, so a recovered provider is back in rotation without waiting for a client to risk the trial.
/// </summary>
public sealed partial class ProviderProbe(
    ProviderHealth health,
    CatalogCache catalog,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<ProviderProbe> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await ProbeAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Probes every provider with a circuit that is not closed and whose cooldown is over (tests call it).</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        var providers = catalog.Current.Candidates.Select(c => c.Provider).DistinctBy(p => p.Id)
            .Where(p => health.Of(p.Id).CircuitState != CircuitStates.Closed)
            .ToList();
        foreach (var provider in providers)
        {
            if (!health.TryAcquire(provider.Id))
            {
                continue; // still cooling down, or a trial is already out
            }
            var started = time.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(provider.BaseUri, "models"));
                if (provider.Kind == ProviderKinds.Anthropic)
                {
                    AnthropicRequestHeaders.Apply(request, provider.ApiKey ?? "none");
                }
                else if (provider.Kind == ProviderKinds.AzureOpenAI)
                {
                    request.RequestUri = new Uri(provider.BaseUri, $"openai/models?api-version={Uri.EscapeDataString(provider.ApiVersion ?? "2024-10-21")}");
                    request.Headers.TryAddWithoutValidation("api-key", provider.ApiKey);
                }
                else if (provider.ApiKey is { } key)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Timeout);
                using var response = await httpClients.CreateClient(
                    provider.OrganizationId is null ? InferenceProxy.HttpClientName : InferenceProxy.CustomHttpClientName).SendAsync(request, timeout.Token);
                if ((int)response.StatusCode < 500 && response.StatusCode != System.Net.HttpStatusCode.TooManyRequests)
                {
                    health.Success(provider.Id, time.GetElapsedTime(started));
                    LogRecovered(logger, provider.Name);
                }
                else
                {
                    health.Failure(provider.Id);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                health.Failure(provider.Id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {Provider} answered its probe; its circuit is closed again.")]
    private static partial void LogRecovered(ILogger logger, string provider);
}
