using Synaxis.ServiceKit.Admission;

namespace Synaxis.RateLimit.Tests;

public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData(0, "0ms")]
    [InlineData(20, "20ms")]
    [InlineData(1200, "1.2s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(3_723_500, "1h2m3.5s")]
    public void Durations_use_the_openai_style(long ms, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.Duration(TimeSpan.FromMilliseconds(ms)));

    [Fact]
    public void Refusals_map_to_codes()
    {
        var rate = new AdmissionResult { Admitted = false, RefusedKind = LimitKind.TokensDay, RefusedLevel = LimitLevel.User, RetryAfter = TimeSpan.FromMilliseconds(1500) };
        Assert.Equal("rate_limit_exceeded", RateLimitHeaders.Refusal(rate)!.Code);
        var headers = RateLimitHeaders.For(rate).ToDictionary(h => h.Key, h => h.Value);
        Assert.Equal("2", headers["retry-after"]);
        Assert.Equal("1500", headers["retry-after-ms"]);

        var budget = rate with { RefusedKind = LimitKind.Budget };
        Assert.Equal("insufficient_quota", RateLimitHeaders.Refusal(budget)!.Code);
    }

    [Fact]
    public void Token_estimate_uses_max_tokens_or_the_default()
    {
        Assert.Equal(150, AdmissionRequest.EstimateTokens(50, 100));
        Assert.Equal(50 + AdmissionRequest.DefaultCompletionReserve, AdmissionRequest.EstimateTokens(50, null));
        Assert.Equal(1_500_000, MicroUsd.FromUsd(1.5m));
    }
}
