using Microsoft.Extensions.Options;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// API-key verification at the gateway, bound from the <c>ApiKeys</c> section. The defaults are the keys contract's;
/// tests shorten the intervals.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    /// <summary>Where the Keys service answers <c>POST /internal/keys/verify</c> (resolved by service discovery).</summary>
    public Uri KeysServiceAddress { get; set; } = new("http://keys");

    /// <summary>One verify call may take this long; then the caller gets 503 and may retry. No retries inside.</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a verified key is trusted in process without asking Redis.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a refused key is refused in process without asking Redis.</summary>
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>In-process entries (verified and refused keys together); past it the oldest-looking entries are dropped.</summary>
    public int CacheCapacity { get; set; } = 100_000;

    /// <summary>TTL of <c>synaxis:keys:{id}:verified</c>, shared by every gateway.</summary>
    public TimeSpan RedisCacheTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>TTL of the Redis negative entries (wrong secret, unknown id).</summary>
    public TimeSpan RedisNegativeCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Failed verifications allowed per key id per <see cref="FailureWindow"/>; past it 429, and no verify call.</summary>
    public int FailureLimitPerKey { get; set; } = 10;

    /// <summary>Failed verifications allowed per client address (IPv6: per /64) per <see cref="FailureWindow"/>.</summary>
    public int FailureLimitPerAddress { get; set; } = 10;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long the SHA-256 of a key's verified secret is remembered in Redis so that this secret, and only it, is not
    /// held back by <see cref="FailureLimitPerKey"/> when someone floods the id with wrong secrets.
    /// </summary>
    public TimeSpan KnownSecretTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often used key ids are written to <c>synaxis:keys:lastused</c>.</summary>
    public TimeSpan LastUsedFlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Refuses nonsensical settings at startup rather than at the first API key.</summary>
internal sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var failures = new List<string>();
        if (!options.KeysServiceAddress.IsAbsoluteUri)
        {
            failures.Add($"'{ApiKeyOptions.SectionName}:{nameof(options.KeysServiceAddress)}' must be an absolute URI.");
        }
        RequirePositive(failures, nameof(options.VerifyTimeout), options.VerifyTimeout);
        RequirePositive(failures, nameof(options.CacheTtl), options.CacheTtl);
        RequirePositive(failures, nameof(options.NegativeCacheTtl), options.NegativeCacheTtl);
        RequirePositive(failures, nameof(options.RedisCacheTtl), options.RedisCacheTtl);
        RequirePositive(failures, nameof(options.RedisNegativeCacheTtl), options.RedisNegativeCacheTtl);
        RequirePositive(failures, nameof(options.FailureWindow), options.FailureWindow);
        RequirePositive(failures, nameof(options.KnownSecretTtl), options.KnownSecretTtl);
        RequirePositive(failures, nameof(options.LastUsedFlushInterval), options.LastUsedFlushInterval);
        RequireAtLeast(failures, nameof(options.CacheCapacity), options.CacheCapacity, 100);
        RequireAtLeast(failures, nameof(options.FailureLimitPerKey), options.FailureLimitPerKey, 1);
        RequireAtLeast(failures, nameof(options.FailureLimitPerAddress), options.FailureLimitPerAddress, 1);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"'{ApiKeyOptions.SectionName}:{name}' must be positive; it is {value}.");
        }
    }

    private static void RequireAtLeast(List<string> failures, string name, int value, int minimum)
    {
        if (value < minimum)
        {
            failures.Add($"'{ApiKeyOptions.SectionName}:{name}' must be at least {minimum}; it is {value}.");
        }
    }
}
