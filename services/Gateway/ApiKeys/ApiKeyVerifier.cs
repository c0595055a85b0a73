using System.Collections.Concurrent;
using System.Net;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>Past the in-process cache: Redis, the failure limiter and the Keys service (see <see cref="ApiKeyResolver"/>).</summary>
internal interface IApiKeyResolver
{
    /// <summary>A verdict for a key the in-process cache does not know; expected failures are verdicts, not exceptions.</summary>
    Task<ApiKeyVerification> ResolveAsync(ApiKeyCandidate candidate, long verificationStarted, CancellationToken cancellationToken);
}

/// <summary>
/// Verifies a presented API key. The hot path (a key seen in the last <see cref="ApiKeyOptions.CacheTtl"/>) is
/// parse, SHA-256 on the stack, one dictionary lookup: no I/O and no allocation. Everything else goes to the
/// <see cref="IApiKeyResolver"/> once per key however many requests bring it at the same moment.
/// </summary>
internal sealed partial class ApiKeyVerifier(
    ApiKeyCache cache,
    IApiKeyResolver resolver,
    LastUsedRecorder lastUsed,
    TimeProvider time,
    ILogger<ApiKeyVerifier> logger)
{
    private readonly ConcurrentDictionary<KeyHash, Task<ApiKeyVerification>> _inFlight = new();

    /// <summary>
    /// Synchronous for a cached key (the <see cref="ValueTask{TResult}"/> is already complete); only a miss copies the
    /// key into a string and goes asynchronous.
    /// </summary>
    public ValueTask<ApiKeyVerification> VerifyAsync(
        ReadOnlySpan<char> key, IPAddress? clientAddress, string requestId, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(key, out var keyId))
        {
            return ValueTask.FromResult(ApiKeyVerification.Malformed);
        }
        var hash = KeyHash.Compute(key);
        if (cache.TryGet(hash, out var verdict))
        {
            return ValueTask.FromResult(Accept(verdict, hash));
        }
        return new ValueTask<ApiKeyVerification>(JoinAsync(
            new ApiKeyCandidate(key.ToString(), keyId.ToString(), hash, FailureLimiter.AddressKey(clientAddress), requestId),
            cancellationToken));
    }

    /// <summary>Checked on every use, cached or not: an expiry passes while the entry is still cached.</summary>
    private ApiKeyVerification Accept(ApiKeyVerification verdict, in KeyHash hash)
    {
        if (verdict.Key is not { } key)
        {
            return verdict;
        }
        if (key.IsExpired(time.GetUtcNow()))
        {
            var expired = ApiKeyVerification.Refused(ApiKeyVerificationStatus.Expired);
            cache.SetRefused(hash, expired);
            return expired;
        }
        lastUsed.Record(key);
        return verdict;
    }

    private async Task<ApiKeyVerification> JoinAsync(ApiKeyCandidate candidate, CancellationToken cancellationToken)
    {
        Task<ApiKeyVerification> shared;
        while (!_inFlight.TryGetValue(candidate.Hash, out shared!))
        {
            var mine = new TaskCompletionSource<ApiKeyVerification>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(candidate.Hash, mine.Task))
            {
                shared = mine.Task;
                _ = ResolveAndCacheAsync(candidate, mine);
                break;
            }
        }
        // A caller that gives up stops waiting; the shared verification goes on for the others.
        var verdict = await shared.WaitAsync(cancellationToken);
        return Accept(verdict, candidate.Hash);
    }

    private async Task ResolveAndCacheAsync(ApiKeyCandidate candidate, TaskCompletionSource<ApiKeyVerification> completion)
    {
        var started = cache.Now;
        ApiKeyVerification verdict;
        try
        {
            verdict = await resolver.ResolveAsync(candidate, started, CancellationToken.None);
            if (verdict.Key is { } key)
            {
                if (!cache.SetVerified(key, started))
                {
                    verdict = ApiKeyVerification.Refused(ApiKeyVerificationStatus.Revoked);
                }
            }
            else if (verdict.IsDefinitiveRefusal)
            {
                cache.SetRefused(candidate.Hash, verdict);
            }
        }
        catch (Exception exception)
        {
            LogResolveFailed(logger, exception, ApiKeyFormat.DisplayPrefix(candidate.KeyId));
            verdict = ApiKeyVerification.Unavailable;
        }
        // Cached before leaving the in-flight table, so a request arriving in between finds one or the other.
        completion.SetResult(verdict);
        _inFlight.TryRemove(new KeyValuePair<KeyHash, Task<ApiKeyVerification>>(candidate.Hash, completion.Task));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Verifying API key {KeyPrefix} failed unexpectedly.")]
    private static partial void LogResolveFailed(ILogger logger, Exception exception, string keyPrefix);
}
