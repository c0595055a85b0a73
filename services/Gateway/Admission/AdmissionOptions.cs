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
    /// <summary>
    /// Admission leases for busy callers (<see cref="AdmissionLeases"/>): far from every limit, a gateway admits a busy
    /// set of levels from a block it charged in Redis at once, without a round trip per request. Off: every request
    /// runs the admission script.
    /// </summary>
    public bool Leases { get; set; } = true;

    /// <summary>How long a lease lives without a refill before its unused part is given back.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LeaseLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most of any one limit a lease may hold.</summary>
    [Range(0.001, 0.25)]
    public double LeaseShare { get; set; } = 0.05;

    /// <summary>The part of every limit that must still be free after a lease is charged; nearer, requests are admitted one by one.</summary>
    [Range(0.1, 0.99)]
    public double LeaseKeep { get; set; } = 0.5;

    [Range(1024, 256L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Groups of one caller counted as levels (a token lists every group of its user); more is refused with 400.</summary>
    [Range(1, 60)]
    public int MaxGroups { get; set; } = 60;
}
