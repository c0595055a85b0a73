namespace Synaxis.MockProvider.Faults;

/// <summary>
/// Section <c>MockProvider:Faults</c>: faults for every request of the process. The matching
/// <c>x-mock-*</c> request header, when present, wins over each setting.
/// </summary>
public sealed class FaultOptions
{
    /// <summary>none, rate-limit, server-error, hang or cut-stream (as <c>x-mock-fault</c>).</summary>
    public string? Fault { get; set; }

    /// <summary>Delay before answering (as <c>x-mock-latency-ms</c>).</summary>
    public int LatencyMs { get; set; }

    /// <summary>Delay between streamed chunks (as <c>x-mock-chunk-delay-ms</c>).</summary>
    public int ChunkDelayMs { get; set; }

    /// <summary>The <c>retry-after</c> of an injected 429 (as <c>x-mock-retry-after</c>).</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Chunks sent before a cut-stream fault aborts the connection (as <c>x-mock-cut-after</c>).</summary>
    public int CutAfterChunks { get; set; } = 2;

    /// <summary>Probability in [0, 1] that a request without an <c>x-mock-fault</c> header gets <see cref="RandomFault"/>.</summary>
    public double ErrorRate { get; set; }

    /// <summary>The fault that <see cref="ErrorRate"/> injects.</summary>
    public string RandomFault { get; set; } = "server-error";

    /// <summary>Seed of the <see cref="ErrorRate"/> draws, so a run's sequence of faults can be replayed.</summary>
    public int Seed { get; set; } = 42;
}
