using System.Security.Claims;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Synaxis.Gateway.ApiKeys;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Benchmarks;

/// <summary>
/// The API-key hot path at the gateway: a key the in-process cache knows (target: under 5 µs, no allocation),
/// the parser on valid and junk input, and the SHA-256 that keys the cache.
/// </summary>
[MemoryDiagnoser]
public class ApiKeyBenchmarks
{
    private static readonly string TenKilobytes = ApiKeyFormat.Prefix + new string('a', 10 * 1024);
    private static readonly string TooShort = "synaxis_x";
    private static readonly string OpenAIStyle = "sk-proj-" + new string('a', 87);

    private ApiKeyVerifier _verifier = null!;
    private string _key = null!;
    private string _notBase62 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var generated = ApiKeyFormat.Generate();
        _key = generated.Key;
        _notBase62 = ApiKeyFormat.Prefix + generated.Id + "_" + new string('-', Base62.EncodedLength);
        var verified = new VerifiedApiKey(
            generated.Id, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), OrganizationRoles.Member,
            [ApiKeyScopes.Inference], null, DateTimeOffset.UtcNow.AddDays(1));

        // A TTL longer than the run, so every measured call is a warm hit.
        var options = Options.Create(new ApiKeyOptions { CacheTtl = TimeSpan.FromHours(1) });
        var cache = new ApiKeyCache(options, TimeProvider.System);
        _verifier = new ApiKeyVerifier(
            cache, new OnlyThisKey(verified), new LastUsedRecorder(), TimeProvider.System, NullLogger<ApiKeyVerifier>.Instance);

        var warmUp = _verifier.VerifyAsync(_key, null, "warm-up", CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (!warmUp.IsValid || !_verifier.VerifyAsync(_key, null, "check", CancellationToken.None).IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The cache did not warm up.");
        }
    }

    [Benchmark(Description = "Verify a cached key (in process)")]
    public bool VerifyCachedKey()
    {
        var verification = _verifier.VerifyAsync(_key, null, "bench", CancellationToken.None);
        return verification.IsCompletedSuccessfully && verification.Result.IsValid;
    }

    [Benchmark(Description = "Verify a cached key and build its principal")]
    public ClaimsPrincipal? VerifyCachedKeyAndBuildPrincipal()
    {
        var verification = _verifier.VerifyAsync(_key, null, "bench", CancellationToken.None);
        return verification.Result.Key?.CreatePrincipal(ApiKeyDefaults.AuthenticationScheme);
    }

    [Benchmark(Description = "TryParse: valid key")]
    public bool TryParseValid() => ApiKeyFormat.TryParse(_key, out _);

    [Benchmark(Description = "TryParse: 'synaxis_x'")]
    public bool TryParseTooShort() => ApiKeyFormat.TryParse(TooShort, out _);

    [Benchmark(Description = "TryParse: 10 KB")]
    public bool TryParseTenKilobytes() => ApiKeyFormat.TryParse(TenKilobytes, out _);

    [Benchmark(Description = "TryParse: right length, secret not Base62")]
    public bool TryParseNotBase62() => ApiKeyFormat.TryParse(_notBase62, out _);

    [Benchmark(Description = "TryParse: an OpenAI-style key")]
    public bool TryParseOpenAIStyle() => ApiKeyFormat.TryParse(OpenAIStyle, out _);

    [Benchmark(Description = "SHA-256 of a key (stack only)")]
    public int Sha256OfKey() => KeyHash.Compute(_key).GetHashCode();

    /// <summary>Stands in for Redis and the Keys service: only the warm-up reaches it.</summary>
    private sealed class OnlyThisKey(VerifiedApiKey verified) : IApiKeyResolver
    {
        public Task<ApiKeyVerification> ResolveAsync(ApiKeyCandidate candidate, long verificationStarted, CancellationToken cancellationToken) =>
            Task.FromResult(candidate.KeyId == verified.KeyId
                ? ApiKeyVerification.Valid(new CachedApiKey(verified, candidate.Hash))
                : ApiKeyVerification.Refused(ApiKeyVerificationStatus.Unknown));
    }
}
