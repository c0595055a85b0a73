using System.ComponentModel.DataAnnotations;

namespace Synaxis.Gateway.Admission;

/// <summary>What the gateway does when Redis cannot answer an admission.</summary>
public enum AdmissionFailureMode
{
    /// <summary>
    /// Requests and tokens limits fall back to this instance's local limiter at <see cref="AdmissionOptions.LocalShare"/>
    /// of each last-known limit; a level with a monthly budget is still refused (budgets are always closed).
    /// </summary>
    Open,

    /// <summary>Every inference request is refused with 503 until Redis answers again.</summary>
    Closed,
}

/// <summary>Section <c>RateLimit</c> of the gateway's configuration.</summary>
public sealed class AdmissionOptions
{
    public const string Section = "RateLimit";

    /// <summary>Off: no admission at all (benchmarks, or a deployment that limits elsewhere).</summary>
    public bool Enabled { get; set; } = true;

    public AdmissionFailureMode FailureMode { get; set; } = AdmissionFailureMode.Open;

    /// <summary>
    /// The share of a limit one instance admits on its own while Redis is down (open mode). Conservative by default:
    /// with four gateways the fleet stays within the limit.
    /// </summary>
    [Range(0.01, 1.0)]
    public double LocalShare { get; set; } = 0.25;

    /// <summary>How long an admission waits for Redis before it counts as unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After a failure, admissions go straight to the fallback for this long before Redis is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RetryRedisAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest inference body read (and forwarded); larger ones answer 413.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Groups of one caller counted as levels (a token lists every group of its user); more is refused with 400.</summary>
    [Range(1, 60)]
    public int MaxGroups { get; set; } = 60;
}
