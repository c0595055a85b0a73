using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

internal enum ApiKeyVerificationStatus
{
    Valid,

    /// <summary>Not the shape of a Synaxis key: refused before any hashing, cache or network.</summary>
    Malformed,

    /// <summary>No key has this id.</summary>
    Unknown,

    /// <summary>The id exists and the secret is wrong.</summary>
    Mismatch,

    Revoked,
    Expired,

    /// <summary>Too many failed verifications for this key id or client address: refused without asking Keys.</summary>
    RateLimited,

    /// <summary>Neither a cache nor the Keys service could give a verdict (Keys or Redis down, timeout).</summary>
    Unavailable,
}

/// <summary>The outcome of verifying one presented key. A struct: the cached path returns it without allocating.</summary>
internal readonly record struct ApiKeyVerification(ApiKeyVerificationStatus Status, CachedApiKey? Key = null, TimeSpan RetryAfter = default)
{
    public bool IsValid => Status == ApiKeyVerificationStatus.Valid;

    /// <summary>A refusal that is a fact about the key (cacheable), not about this moment (limits, outages).</summary>
    public bool IsDefinitiveRefusal => Status is ApiKeyVerificationStatus.Unknown or ApiKeyVerificationStatus.Mismatch
        or ApiKeyVerificationStatus.Revoked or ApiKeyVerificationStatus.Expired;

    public static ApiKeyVerification Valid(CachedApiKey key) => new(ApiKeyVerificationStatus.Valid, key);

    public static ApiKeyVerification Refused(ApiKeyVerificationStatus status) => new(status);

    public static ApiKeyVerification RateLimited(TimeSpan retryAfter) => new(ApiKeyVerificationStatus.RateLimited, RetryAfter: retryAfter);

    public static readonly ApiKeyVerification Malformed = new(ApiKeyVerificationStatus.Malformed);
    public static readonly ApiKeyVerification Unavailable = new(ApiKeyVerificationStatus.Unavailable);

    /// <summary>The Keys service's <c>reason</c> (see <see cref="ApiKeyVerificationFailures"/>) as a status.</summary>
    public static ApiKeyVerificationStatus FromReason(string? reason) => reason switch
    {
        ApiKeyVerificationFailures.Mismatch => ApiKeyVerificationStatus.Mismatch,
        ApiKeyVerificationFailures.Revoked => ApiKeyVerificationStatus.Revoked,
        ApiKeyVerificationFailures.Expired => ApiKeyVerificationStatus.Expired,
        _ => ApiKeyVerificationStatus.Unknown,
    };
}

/// <summary>A well-formed key on its way through the cold path: parsed and hashed once.</summary>
internal sealed record ApiKeyCandidate(string Key, string KeyId, KeyHash Hash, string? ClientAddress, string RequestId);
