using System.Net;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>
/// Who may open <c>/hubs/events</c>: a caller the gateway authenticated, and only through the gateway; and what of
/// the caller's credential reaches Audit (nothing: the signed identity replaces it).
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class EventsHubAuthenticationTests(RealtimeFixture fixture)
{
    [Fact]
    public async Task The_gateway_refuses_a_connection_without_a_token()
    {
        await using var client = RealtimeFixture.CreateClient(fixture.GatewayHub);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    public static TheoryData<string, string> BadTokens()
    {
        var tokens = new TestTokens();
        return new TheoryData<string, string>
        {
            { "wrong key", tokens.Mint(key: "some-other-signing-key-0123456789-abcdefghij") },
            { "expired", tokens.Mint(expires: DateTime.UtcNow.AddMinutes(-5)) },
            { "alg none", tokens.MintUnsigned() },
            { "garbage", "not.a.jwt" },
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task The_gateway_refuses_a_connection_with_a_bad_token(string why, string token)
    {
        // Both ways a client sends it: the header (.NET client) and the query string (browsers).
        await using var byHeader = RealtimeFixture.CreateClient(fixture.GatewayHub, token);
        await using var byQuery = RealtimeFixture.CreateClient(new Uri(fixture.GatewayHub, $"?access_token={Uri.EscapeDataString(token)}"));

        var refusedByHeader = await Assert.ThrowsAsync<HttpRequestException>(() => byHeader.StartAsync());
        var refusedByQuery = await Assert.ThrowsAsync<HttpRequestException>(() => byQuery.StartAsync());
        Assert.True(refusedByHeader.StatusCode == HttpStatusCode.Unauthorized, why);
        Assert.True(refusedByQuery.StatusCode == HttpStatusCode.Unauthorized, why);
    }

    [Fact]
    public async Task Audit_refuses_a_client_that_bypasses_the_gateway_with_a_valid_access_token()
    {
        var caller = await fixture.RegisterAsync(RealtimeFixture.NewEmail());
        await using var client = RealtimeFixture.CreateClient(fixture.AuditHub, caller.AccessToken);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Audit_refuses_an_identity_not_signed_with_the_gateways_key()
    {
        var forger = new InternalIdentitySigner(
            Options.Create(new InternalIdentityOptions { SigningKey = "not-the-gateways-internal-identity-key-0123456789" }),
            TimeProvider.System);
        var forged = forger.Sign(new CallerIdentity { OrganizationId = Guid.NewGuid(), UserId = Guid.NewGuid(), Role = "Owner" });
        await using var client = RealtimeFixture.CreateClient(fixture.AuditHub, configure: options => options.Headers[InternalIdentity.HeaderName] = forged);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Audit_refuses_a_websocket_opened_straight_to_it_without_negotiating()
    {
        var caller = await fixture.RegisterAsync(RealtimeFixture.NewEmail());
        await using var client = RealtimeFixture.CreateClient(fixture.AuditHub, caller.AccessToken, options =>
        {
            options.SkipNegotiation = true;
            options.Transports = HttpTransportType.WebSockets;
        });

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => client.StartAsync());
        Assert.Contains("401", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_access_token_query_parameter_never_reaches_Audit()
    {
        var caller = await fixture.RegisterAsync(RealtimeFixture.NewEmail());
        var probe = Guid.NewGuid().ToString("N");
        // The browser way: the token in the query string of both the negotiate POST and the WebSocket GET.
        var hub = new Uri(fixture.GatewayHub, $"?access_token={Uri.EscapeDataString(caller.AccessToken)}&probe={probe}");
        await using var client = RealtimeFixture.CreateClient(hub);
        var inbox = new HubInbox(client);
        await client.StartAsync();
        await Broadcasts.UntilReceivedAsync(fixture.BroadcasterOf(fixture.Audit), caller.OrganizationId, inbox);

        var seen = fixture.Audit.HubRequests.Requests.Where(request => request.Query.Contains(probe, StringComparison.Ordinal)).ToList();
        Assert.Contains(seen, request => request is { Method: "POST", Path: "/hubs/events/negotiate" });
        Assert.Contains(seen, request => request is { Method: "GET", Path: "/hubs/events", IsWebSocket: true });
        Assert.All(seen, request =>
        {
            Assert.DoesNotContain("access_token", request.Query, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(caller.AccessToken, request.Query, StringComparison.Ordinal);
            Assert.True(request.HasInternalIdentity, $"{request.Method} {request.Path} came without the signed identity.");
            Assert.False(request.HasAuthorization, $"{request.Method} {request.Path} carried an Authorization header.");
        });
    }
}
