extern alias identity;

using identity::Synaxis.Identity.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>A caller's hub client, connected through the gateway and proven to be listening to its organization.</summary>
public sealed class HubListener : IAsyncDisposable
{
    private HubListener(TokenResponse caller, HubConnection connection)
    {
        Caller = caller;
        Connection = connection;
        Inbox = new HubInbox(connection);
    }

    public TokenResponse Caller { get; }

    public Guid OrganizationId => Caller.OrganizationId;

    public HubConnection Connection { get; }

    public HubInbox Inbox { get; }

    /// <summary>
    /// Connects <paramref name="caller"/> (the access token in the Authorization header, as the .NET client sends it) and
    /// waits until a message for its organization broadcast by the other Audit instance arrives.
    /// </summary>
    public static async Task<HubListener> ConnectAsync(RealtimeFixture fixture, TokenResponse caller)
    {
        var listener = new HubListener(caller, RealtimeFixture.CreateClient(fixture.GatewayHub, caller.AccessToken));
        try
        {
            await listener.Connection.StartAsync();
            await Broadcasts.UntilReceivedAsync(fixture.BroadcasterOf(fixture.OtherAudit), caller.OrganizationId, listener.Inbox);
            return listener;
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new organization's Owner, connected and listening.</summary>
    public static async Task<HubListener> RegisterAndConnectAsync(RealtimeFixture fixture) =>
        await ConnectAsync(fixture, await fixture.RegisterAsync(RealtimeFixture.NewEmail()));

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
