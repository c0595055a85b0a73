using System.ClientModel;
using OpenAI.Chat;
using Synaxis.Routing.Inference;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>What the upstream HTTP client must never do with a provider's answer: follow it elsewhere, or keep its cookies.</summary>
[Collection(InferenceCollection.Name)]
public sealed class UpstreamClientSafetyTests(InferenceFixture fixture)
{
    private readonly Guid _org = Guid.NewGuid();

    [Fact]
    public async Task A_redirecting_provider_is_not_followed_and_the_next_candidate_answers()
    {
        await using var redirecting = await FakeTrickyProvider.StartAsync(redirect: true);
        await fixture.SetStrategyAsync(_org, "miser", allowPaidFallback: true);
        await fixture.AddProviderAsync(_org, "redirecting", redirecting.BaseAddress, ProviderKinds.OpenAICompatible, "provider-key", isFree: true, "tricky-model");
        await fixture.AddProviderAsync(_org, "backup", fixture.Healthy, isFree: false, "tricky-model", input: 1m, output: 1m);

        var result = await fixture.Client(_org).GetChatClient("tricky-model").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal(1, redirecting.Calls); // tried first (free), and its 307 moved on to the next candidate
        Assert.Equal(0, redirecting.TargetHits); // nobody went where it pointed (with the provider's key)
        Assert.Equal("backup", result.Header(InferenceProxy.ProviderHeader));
    }

    [Fact]
    public async Task A_providers_cookies_are_never_sent_back()
    {
        await using var cookieJar = await FakeTrickyProvider.StartAsync(redirect: false);
        await fixture.AddProviderAsync(_org, "cookie-jar", cookieJar.BaseAddress, ProviderKinds.OpenAICompatible, null, isFree: true, "cookie-model");
        var chat = fixture.Client(_org).GetChatClient("cookie-model");

        var first = await chat.CompleteChatAsync([new UserChatMessage("hi")]);
        var second = await chat.CompleteChatAsync([new UserChatMessage("hi again")]);

        Assert.Equal("cookie-jar", first.Header(InferenceProxy.ProviderHeader));
        Assert.Equal("cookie-jar", second.Header(InferenceProxy.ProviderHeader));
        Assert.Equal(2, cookieJar.Calls);
        Assert.Empty(cookieJar.CookiesReceived); // its Set-Cookie would otherwise ride along on every later call, any organization's
    }
}
