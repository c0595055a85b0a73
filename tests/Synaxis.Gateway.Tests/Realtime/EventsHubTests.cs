extern alias audit;

using System.Text.Json;
using audit::Synaxis.Audit.Realtime;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>
/// Hub clients connected through the gateway receive their organization's messages, whichever Audit instance
/// broadcasts them (the Redis backplane), and never another organization's.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class EventsHubTests(RealtimeFixture fixture)
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_client_receives_its_organizations_messages_from_another_instance_and_none_of_another_organization()
    {
        var a = await fixture.RegisterAsync(RealtimeFixture.NewEmail());
        var b = await fixture.RegisterAsync(RealtimeFixture.NewEmail());
        await using var clientA = RealtimeFixture.CreateClient(fixture.GatewayHub, a.AccessToken);
        await using var clientB = RealtimeFixture.CreateClient(fixture.GatewayHub, b.AccessToken);
        var inboxA = new HubInbox(clientA);
        var inboxB = new HubInbox(clientB);
        await clientA.StartAsync();
        await clientB.StartAsync();
        Assert.Equal(HubConnectionState.Connected, clientA.State);
        Assert.Equal(HubConnectionState.Connected, clientB.State);

        // Both are routed by the gateway to one Audit instance; the other one broadcasts, so only Redis can carry it.
        var otherInstance = fixture.BroadcasterOf(fixture.OtherAudit);
        await Broadcasts.UntilReceivedAsync(otherInstance, b.OrganizationId, inboxB);
        await Broadcasts.UntilReceivedAsync(otherInstance, a.OrganizationId, inboxA);

        // Now that both listen: one message for A on every method API.md lists.
        var markers = HubInbox.Methods.ToDictionary(method => method, _ => Broadcasts.NewMarker());
        await otherInstance.PublishAsync(
            [.. markers.Select(pair => Broadcasts.Message(a.OrganizationId, pair.Value, pair.Key))],
            CancellationToken.None);
        foreach (var (method, marker) in markers)
        {
            var received = await inboxA.WaitForAsync(marker, Broadcasts.Patience);
            Assert.NotNull(received);
            Assert.Equal(method, received.Method);
            using var payload = JsonDocument.Parse(received.Json);
            Assert.Equal(marker, payload.RootElement.GetProperty("marker").GetString());
            Assert.Equal(a.OrganizationId, payload.RootElement.GetProperty("organizationId").GetGuid());
        }

        // B was listening all along (it got its own message first); give A's messages time to leak, then look.
        await Task.Delay(Silence);
        Assert.NotEmpty(inboxB.Messages);
        Assert.DoesNotContain(inboxB.Messages, message => message.Json.Contains(a.OrganizationId.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(inboxB.Messages, message => markers.Values.Any(marker => message.Json.Contains(marker, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_platform_wide_message_reaches_every_organization()
    {
        await using var a = await HubListener.RegisterAndConnectAsync(fixture);
        await using var b = await HubListener.RegisterAndConnectAsync(fixture);

        var marker = Broadcasts.NewMarker();
        await fixture.BroadcasterOf(fixture.OtherAudit).PublishAsync(
            [Broadcasts.Message(organizationId: null, marker, AuditBroadcastMethods.ProviderHealthChanged)],
            CancellationToken.None);

        var atA = await a.Inbox.WaitForAsync(marker, Broadcasts.Patience);
        var atB = await b.Inbox.WaitForAsync(marker, Broadcasts.Patience);
        Assert.Equal(AuditBroadcastMethods.ProviderHealthChanged, atA?.Method);
        Assert.Equal(AuditBroadcastMethods.ProviderHealthChanged, atB?.Method);
    }

    [Fact]
    public async Task A_member_without_an_admin_role_may_listen()
    {
        var owner = await fixture.RegisterAsync(RealtimeFixture.NewEmail());
        var member = await fixture.AddMemberAsync(owner);
        var token = new JsonWebToken(member.AccessToken);
        Assert.Equal("Member", token.GetClaim("org_role").Value);
        Assert.Equal(owner.OrganizationId.ToString(), token.GetClaim("org_id").Value);

        await using var client = RealtimeFixture.CreateClient(fixture.GatewayHub, member.AccessToken);
        var inbox = new HubInbox(client);
        await client.StartAsync();

        var received = await Broadcasts.UntilReceivedAsync(fixture.BroadcasterOf(fixture.Audit), owner.OrganizationId, inbox);
        Assert.Contains(owner.OrganizationId.ToString(), received.Json, StringComparison.OrdinalIgnoreCase);
    }
}
