using Microsoft.Extensions.Options;
using Synaxis.Gateway.ApiKeys;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Tests.ApiKeys;

public sealed class ApiKeyCacheTests
{
    /// <summary>A clock the test moves by hand, one tick at a time: no timing in the assertions.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now = 1_000_000;

        public override long TimestampFrequency => 1_000;

        public override long GetTimestamp() => Interlocked.Read(ref _now);

        public void Advance() => Interlocked.Increment(ref _now);
    }

    private static (ApiKeyCache Cache, ManualClock Clock) CreateCache()
    {
        var clock = new ManualClock();
        var options = Options.Create(new ApiKeyOptions { CacheCapacity = 200_000, CacheTtl = TimeSpan.FromHours(1) });
        return (new ApiKeyCache(options, clock), clock);
    }

    private static CachedApiKey NewKey()
    {
        var generated = ApiKeyFormat.Generate();
        var verified = new VerifiedApiKey(
            generated.Id, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), null, OrganizationRoles.Member, [ApiKeyScopes.Inference], null, null);
        return new CachedApiKey(verified, KeyHash.Compute(generated.Key));
    }

    [Fact]
    public void Clearing_a_hundred_thousand_verified_keys_drops_them_all_and_counts_every_id_as_evicted()
    {
        var (cache, clock) = CreateCache();
        var keys = Enumerable.Range(0, 100_000).Select(_ => NewKey()).ToArray();
        var started = cache.Now;
        foreach (var key in keys)
        {
            Assert.True(cache.SetVerified(key, started));
        }
        Assert.Equal(keys.Length, cache.Count);
        clock.Advance();

        cache.ClearVerified(); // one pass: before, one full scan of the eviction log per key (~5×10^9 steps here)

        Assert.Equal(0, cache.Count);
        Assert.All(keys, key => Assert.False(cache.TryGet(key.Hash, out _)));
        // Every id counts as evicted at the clear, even one this gateway never cached: a verification that started
        // before the clear (and so may have missed an eviction while the subscription was down) must not be cached.
        Assert.True(cache.WasEvictedSince(keys[0].KeyId, started));
        Assert.True(cache.WasEvictedSince(ApiKeyFormat.Generate().Id, started));
        var late = NewKey();
        Assert.False(cache.SetVerified(late, started));
        Assert.False(cache.TryGet(late.Hash, out _));

        clock.Advance();
        var after = cache.Now;
        Assert.False(cache.WasEvictedSince(keys[0].KeyId, after));
        Assert.True(cache.SetVerified(keys[0], after));
        Assert.True(cache.TryGet(keys[0].Hash, out var verdict));
        Assert.Same(keys[0], verdict.Key);
    }

    [Fact]
    public void A_single_eviction_is_remembered_for_its_id_only()
    {
        var (cache, clock) = CreateCache();
        var evicted = NewKey();
        var other = NewKey();
        var started = cache.Now;
        cache.SetVerified(evicted, started);
        cache.SetVerified(other, started);
        clock.Advance();

        cache.Evict(evicted.KeyId);

        Assert.True(cache.WasEvictedSince(evicted.KeyId, started));
        Assert.False(cache.WasEvictedSince(other.KeyId, started));
        Assert.False(cache.TryGet(evicted.Hash, out _));
        Assert.True(cache.TryGet(other.Hash, out _));
    }
}
