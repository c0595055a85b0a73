extern alias audit;

using audit::Synaxis.Audit.Realtime;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>Test messages: each carries a unique marker and the organization it was sent for.</summary>
public static class Broadcasts
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static string NewMarker() => $"marker-{Guid.NewGuid():N}";

    public static AuditBroadcast Message(Guid? organizationId, string marker, string method = AuditBroadcastMethods.KeyRevoked) =>
        new(organizationId, method, new { marker, organizationId, method });

    /// <summary>
    /// Broadcasts a message for <paramref name="organizationId"/> until <paramref name="inbox"/> holds it. A client's
    /// StartAsync returns at the SignalR handshake, a moment before the hub has put the connection in its organization's
    /// group; this proves the client is listening before a test relies on it.
    /// </summary>
    public static async Task<ReceivedMessage> UntilReceivedAsync(IAuditBroadcaster broadcaster, Guid? organizationId, HubInbox inbox)
    {
        var marker = NewMarker();
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            await broadcaster.PublishAsync([Message(organizationId, marker)], CancellationToken.None);
            if (await inbox.WaitForAsync(marker, TimeSpan.FromMilliseconds(250)) is { } received)
            {
                return received;
            }
        }
        throw new Xunit.Sdk.XunitException($"The client never received a message broadcast for organization {organizationId}.");
    }
}
