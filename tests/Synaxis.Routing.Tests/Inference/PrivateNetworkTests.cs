using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Routing.Inference;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// With <c>Routing:CustomProviders:AllowPrivateNetworks</c> off, an organization's provider is never connected to on a
/// non-public address, however its row got there: the request fails over like any connect failure, and whatever
/// listens there sees nothing. Global providers keep reaching private addresses.
/// </summary>
public sealed class PrivateNetworkTests(PrivateNetworkFixture fixture) : IClassFixture<PrivateNetworkFixture>
{
    private readonly Guid _org = Guid.NewGuid();

    [Theory]
    [InlineData("127.0.0.1")] // an IP literal
    [InlineData("localhost")] // a DNS name that resolves to loopback (as a rebinding one would, at connect time)
    public async Task An_organizations_provider_on_a_loopback_address_is_never_called_and_the_caller_gets_502(string host)
    {
        await using var internalService = await CountingUpstream.StartAsync();
        await fixture.AddProviderAsync(_org, "internal", new UriBuilder(internalService.BaseAddress) { Host = host }.Uri, ProviderKinds.OpenAICompatible,
            null, isFree: true, "internal-model");

        using var response = await fixture.ChatAsync(_org, "internal-model");

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("could serve the request (1 tried)", body);
        Assert.DoesNotContain("internal secret", body);
        Assert.Equal(0, internalService.Requests);
    }

    [Fact]
    public async Task A_refused_organizations_provider_counts_as_a_connect_failure_and_a_global_one_on_loopback_answers()
    {
        await using var internalService = await CountingUpstream.StartAsync();
        await using var globalUpstream = await CountingUpstream.StartAsync();
        await fixture.SetStrategyAsync(_org, RoutingStrategyTypes.Miser, allowPaidFallback: true);
        // Free, so tried first; then the paid global provider, which platform administrators may put on any address.
        var refused = await fixture.AddProviderAsync(_org, "internal", internalService.BaseAddress, ProviderKinds.OpenAICompatible, null,
            isFree: true, "fallback-model");
        await fixture.AddProviderAsync(_org, $"global-{Guid.NewGuid():N}", globalUpstream.BaseAddress, ProviderKinds.OpenAICompatible, null,
            isFree: false, "fallback-model", input: 1m, output: 1m, global: true);

        using var response = await fixture.ChatAsync(_org, "fallback-model");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("global-", response.Headers.GetValues(InferenceProxy.ProviderHeader).Single());
        Assert.Equal(0, internalService.Requests);
        Assert.Equal(1, globalUpstream.Requests);
        // Tried and failed (not skipped): the refusal is recorded against the provider like a connect failure.
        Assert.True(fixture.Routing.Services.GetRequiredService<ProviderHealth>().Of(refused.Id).ErrorRate > 0);
    }

    [Fact]
    public async Task The_probe_never_reaches_an_organizations_provider_on_a_private_address()
    {
        await using var internalService = await CountingUpstream.StartAsync();
        var provider = await fixture.AddProviderAsync(_org, "internal", internalService.BaseAddress, ProviderKinds.OpenAICompatible, null,
            isFree: true, "probed-model");
        var health = fixture.Routing.Services.GetRequiredService<ProviderHealth>();
        for (var i = 0; i < ProviderHealth.FailuresToOpen; i++)
        {
            health.TryAcquire(provider.Id);
            health.Failure(provider.Id);
        }

        await Task.Delay(health.OpenFor + TimeSpan.FromMilliseconds(100));
        await fixture.Routing.Services.GetRequiredService<ProviderProbe>().ProbeAsync();

        Assert.Equal(0, internalService.Requests);
        Assert.NotEqual(CircuitStates.Closed, health.Of(provider.Id).CircuitState);
    }
}
