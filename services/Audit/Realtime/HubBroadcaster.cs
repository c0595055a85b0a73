using Microsoft.AspNetCore.SignalR;

namespace Synaxis.Audit.Realtime;

/// <summary>
/// Sends each <see cref="AuditBroadcast"/> to its organization's group of <see cref="EventsHub"/>, or to every
/// connection when it is platform-wide. Through the Redis backplane, clients of every Audit instance receive it.
/// </summary>
internal sealed class HubBroadcaster(IHubContext<EventsHub> hub) : IAuditBroadcaster
{
    public async ValueTask PublishAsync(IReadOnlyList<AuditBroadcast> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            var clients = message.OrganizationId is { } organizationId
                ? hub.Clients.Group(EventsHub.OrganizationGroup(organizationId))
                : hub.Clients.All;
            await clients.SendAsync(message.Method, message.Payload, cancellationToken);
        }
    }
}
