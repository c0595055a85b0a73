namespace Synaxis.MockProvider.Faults;

/// <summary>Request headers that inject faults into one request. Each wins over its <see cref="FaultOptions"/> setting.</summary>
public static class FaultHeaders
{
    public const string Fault = "x-mock-fault";
    public const string LatencyMs = "x-mock-latency-ms";
    public const string ChunkDelayMs = "x-mock-chunk-delay-ms";
    public const string RetryAfter = "x-mock-retry-after";
    public const string CutAfter = "x-mock-cut-after";
}
