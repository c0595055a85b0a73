using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Synaxis.Routing.Inference;

/// <summary>
/// OpenTelemetry metrics of inference (meter <see cref="MeterName"/>): requests by provider, tier and status, tokens,
/// cost, money saved, upstream latency and fallbacks. Exported with the rest through the service defaults' OTLP.
/// </summary>
public sealed class RoutingMetrics : IDisposable
{
    public const string MeterName = "Synaxis.Routing";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<double> _saved;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _fallbacks;

    public RoutingMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("synaxis_inference_requests_total", description: "Inference answers by provider, tier and status.");
        _tokens = _meter.CreateCounter<long>("synaxis_tokens_total", unit: "{token}", description: "Tokens by direction (input, output).");
        _cost = _meter.CreateCounter<double>("synaxis_cost_usd_total", unit: "USD", description: "Upstream cost at the deployments' prices.");
        _saved = _meter.CreateCounter<double>("synaxis_money_saved_usd_total", unit: "USD", description: "Baseline price minus the price paid.");
        _latency = _meter.CreateHistogram<double>("synaxis_upstream_latency_ms", unit: "ms", description: "Upstream time to the answer's headers.");
        _fallbacks = _meter.CreateCounter<long>("synaxis_fallbacks_total", description: "Candidates given up on, by provider and reason.");
    }

    public void Answered(string provider, string tier, int status, long inputTokens, long outputTokens, decimal cost, decimal saved)
    {
        var tags = new TagList { { "provider", provider }, { "tier", tier }, { "status", status } };
        _requests.Add(1, tags);
        _tokens.Add(inputTokens, new KeyValuePair<string, object?>("direction", "input"), new KeyValuePair<string, object?>("provider", provider));
        _tokens.Add(outputTokens, new KeyValuePair<string, object?>("direction", "output"), new KeyValuePair<string, object?>("provider", provider));
        _cost.Add((double)cost, new KeyValuePair<string, object?>("provider", provider));
        _saved.Add((double)saved, new KeyValuePair<string, object?>("provider", provider));
    }

    public void UpstreamLatency(string provider, TimeSpan latency) =>
        _latency.Record(latency.TotalMilliseconds, new KeyValuePair<string, object?>("provider", provider));

    public void Fallback(string provider, string reason) =>
        _fallbacks.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
