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
        // An address already over its limit is refused from memory: a flood of fresh random keys from it must not cost
        // a Redis round trip each. (A good key from that address is still served from the in-process cache, which
        // the verifier reads before coming here; past it, the address waits out the window like any other.)
        if (limiter.AddressBlockedFor(candidate) is { } blockedFor)
        {
            return ApiKeyVerification.RateLimited(blockedFor);
        }

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
        //
        // The per-key counter is skipped for the secret whose SHA-256 the Keys service verified last for this id
        // (kept in Redis for KnownSecretTtl): otherwise anyone who knows the public id could keep the real key out
        // with a flood of wrong secrets whenever its verified entry has lapsed. Safe, because matching a SHA-256 of a
        // 256-bit secret means holding the secret; such a request still goes through Keys (which may answer revoked)
        // and still counts against its address. Wrong secrets never match, so they still reach bcrypt at most
        // FailureLimitPerKey times per window. Trade-off: a key whose hash is not known (never verified, or unused
        // for longer than KnownSecretTtl) still waits out the window while its id is flooded.
        var countKey = !stored.KnownSecret;
        var admission = await limiter.AdmitAsync(candidate, countKey);
        if (!admission.IsValid)
        {
            return admission;
        }

        var (status, answer) = await keys.VerifyAsync(candidate.Key, candidate.RequestId, cancellationToken);
        switch (status)
        {
            case ApiKeyVerificationStatus.Valid when answer is not null:
                await limiter.RefundAsync(candidate, countKey);
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
                await limiter.RefundAsync(candidate, countKey);
                return ApiKeyVerification.Unavailable;

            default:
                store.SetRefused(candidate.KeyId, hashHex, status);
                return ApiKeyVerification.Refused(status);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The Keys service verified API key {KeyPrefix} as another key; refusing it.")]
    private static partial void LogWrongKeyAnswered(ILogger logger, string keyPrefix);
}
