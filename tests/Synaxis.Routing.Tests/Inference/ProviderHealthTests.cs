using Synaxis.Routing.Catalog;
using Synaxis.Routing.Inference;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Tests.Inference;

public sealed class ProviderHealthTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualClock _clock = new();
    private readonly Guid _provider = Guid.NewGuid();

    [Fact]
    public void A_circuit_opens_after_repeated_failures_and_closes_after_its_cooldown_when_the_trial_succeeds()
    {
        var health = new ProviderHealth(_clock);
        for (var i = 0; i < ProviderHealth.FailuresToOpen; i++)
        {
            Assert.True(health.TryAcquire(_provider));
            health.Failure(_provider);
        }
        Assert.False(health.TryAcquire(_provider));
        Assert.Equal(CircuitStates.Open, health.Of(_provider).CircuitState);
        Assert.Equal(0, health.Of(_provider).Score);

        _clock.Now += ProviderHealth.DefaultOpenFor;
        Assert.True(health.TryAcquire(_provider));  // the one trial of the half-open circuit
        Assert.False(health.TryAcquire(_provider)); // no second call while it is out
        health.Success(_provider, TimeSpan.FromMilliseconds(100));

        Assert.Equal(CircuitStates.Closed, health.Of(_provider).CircuitState);
        Assert.True(health.TryAcquire(_provider));
    }

    [Fact]
    public void A_failed_trial_reopens_the_circuit_for_another_cooldown()
    {
        var health = new ProviderHealth(_clock);
        for (var i = 0; i < ProviderHealth.FailuresToOpen; i++)
        {
            health.TryAcquire(_provider);
            health.Failure(_provider);
        }
        _clock.Now += ProviderHealth.DefaultOpenFor;
        Assert.True(health.TryAcquire(_provider));
        health.Failure(_provider);

        Assert.False(health.TryAcquire(_provider));
        _clock.Now += ProviderHealth.DefaultOpenFor - TimeSpan.FromSeconds(1);
        Assert.False(health.TryAcquire(_provider));
        _clock.Now += TimeSpan.FromSeconds(1);
        Assert.True(health.TryAcquire(_provider));
    }

    [Fact]
    public void A_rate_limited_provider_rests_for_its_retry_after_without_opening_the_circuit()
    {
        var health = new ProviderHealth(_clock);
        health.TryAcquire(_provider);
        health.Failure(_provider, restFor: TimeSpan.FromSeconds(20));

        Assert.False(health.TryAcquire(_provider));
        Assert.Equal(CircuitStates.Closed, health.Of(_provider).CircuitState);
        _clock.Now += TimeSpan.FromSeconds(20);
        Assert.True(health.TryAcquire(_provider));
    }

    [Fact]
    public void Miser_mode_orders_free_before_paid_then_healthier_then_cheaper_and_leaves_paid_out_unless_allowed()
    {
        var health = new ProviderHealth(_clock);
        var freeSlow = Candidate("free-slow", isFree: true, input: 0m);
        var freeFast = Candidate("free-fast", isFree: true, input: 0m);
        var paidCheap = Candidate("paid-cheap", isFree: false, input: 0.1m);
        var paidDear = Candidate("paid-dear", isFree: false, input: 3m);
        health.Success(freeSlow.Provider.Id, TimeSpan.FromSeconds(4));
        health.Success(freeFast.Provider.Id, TimeSpan.FromMilliseconds(50));
        var all = new[] { paidDear, freeSlow, paidCheap, freeFast };

        var strict = CandidateRanker.Rank(all, new RoutingStrategy { Type = RoutingStrategyTypes.Miser }, health);
        var generous = CandidateRanker.Rank(all, new RoutingStrategy { Type = RoutingStrategyTypes.Miser, AllowPaidFallback = true }, health);
        var cost = CandidateRanker.Rank(all, new RoutingStrategy { Type = RoutingStrategyTypes.Cost }, health);

        Assert.Equal(["free-fast", "free-slow"], strict.Ordered.Select(c => c.Provider.Name));
        Assert.True(strict.PaidExcluded);
        Assert.Equal(["free-fast", "free-slow", "paid-cheap", "paid-dear"], generous.Ordered.Select(c => c.Provider.Name));
        Assert.Equal("paid-dear", cost.Ordered[^1].Provider.Name);
    }

    private static RouteCandidate Candidate(string name, bool isFree, decimal input) =>
        new(Guid.NewGuid(), null, "m", "m", input, input, null, [],
            new ProviderEndpoint(Guid.NewGuid(), null, name, ProviderKinds.OpenAICompatible, new Uri("http://x/"), null, null, isFree, null, null, null));
}
