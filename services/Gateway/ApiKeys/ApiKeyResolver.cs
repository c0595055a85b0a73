using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// The distributed layers behind the in-process cache, in the order of the keys contract: the Redis verdicts every
/// gateway shares; then, within the failure limiter's allowance, the Keys service (the only place bcrypt runs),
/// whose verdict is written back to Redis.
/// </summary>
internal sealed partial class ApiKeyResolver(
    ApiKeyRedisStore store,
    FailureLimiter limiter,
    KeysServiceClient keys,
    ApiKeyCache cache,
    TimeProvider time,
    ILogger<ApiKeyResolver> logger) : IApiKeyResolver
{
    public async Task<ApiKeyVerification> ResolveAsync(
        ApiKeyCandidate candidate, long verificationStarted, CancellationToken cancellationToken)
    {
        var hashHex = candidate.Hash.ToHex();
        var stored = await store.LookupAsync(candidate.KeyId, hashHex);
        if (stored.Verified is { } verified)
        {
            if (candidate.Hash.FixedTimeEquals(verified.Sha256))
            {
                var key = new CachedApiKey(verified.Key, candidate.Hash);
                return key.IsExpired(time.GetUtcNow())
                    ? ApiKeyVerification.Refused(ApiKeyVerificationStatus.Expired)
                    : ApiKeyVerification.Valid(key);
            }
            // An id has exactly one secret, and this is not it: a wrong secret is known without bcrypt.
            store.SetRefused(candidate.KeyId, hashHex, ApiKeyVerificationStatus.Mismatch);
            return await limiter.CountRefusalAsync(candidate, ApiKeyVerificationStatus.Mismatch);
        }
        if (stored.Refused is { } refused)
        {
            return await limiter.CountRefusalAsync(candidate, refused);
        }

        // Counted before the call, so concurrent wrong secrets cannot all slip under the limit together.
        var admission = await limiter.AdmitAsync(candidate);
        if (!admission.IsValid)
        {
            return admission;
        }

        var (status, answer) = await keys.VerifyAsync(candidate.Key, candidate.RequestId, cancellationToken);
        switch (status)
        {
            case ApiKeyVerificationStatus.Valid when answer is not null:
                await limiter.RefundAsync(candidate);
                if (!string.Equals(answer.KeyId, candidate.KeyId, StringComparison.Ordinal))
                {
                    LogWrongKeyAnswered(logger, ApiKeyFormat.DisplayPrefix(candidate.KeyId));
                    return ApiKeyVerification.Unavailable;
                }
                var key = new CachedApiKey(answer, candidate.Hash);
                if (key.IsExpired(time.GetUtcNow()))
                {
                    return ApiKeyVerification.Refused(ApiKeyVerificationStatus.Expired);
                }
                await store.SetVerifiedAsync(key, hashHex);
                // A revocation published while Keys was answering: undo the write the eviction's DEL may have preceded.
                if (cache.WasEvictedSince(candidate.KeyId, verificationStarted))
                {
                    await store.DeleteVerifiedAsync(candidate.KeyId);
                    return ApiKeyVerification.Refused(ApiKeyVerificationStatus.Revoked);
                }
                return ApiKeyVerification.Valid(key);

            case ApiKeyVerificationStatus.Unavailable or ApiKeyVerificationStatus.Valid:
                await limiter.RefundAsync(candidate);
                return ApiKeyVerification.Unavailable;

            default:
                store.SetRefused(candidate.KeyId, hashHex, status);
                return ApiKeyVerification.Refused(status);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The Keys service verified API key {KeyPrefix} as another key; refusing it.")]
    private static partial void LogWrongKeyAnswered(ILogger logger, string keyPrefix);
}
