using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Audit.Realtime;

/// <summary>
/// <c>/hubs/events</c>: a connection receives its organization's <see cref="AuditBroadcastMethods"/> messages and
/// platform-wide ones. Listen-only: clients call nothing, so they cannot join another organization's group.
/// </summary>
/// <remarks>
/// Any member of the organization may listen, whatever their role (Owner, Admin or Member), and so may an API key
/// the gateway admits; the messages carry what the organization's members may already read through the Audit API.
/// The caller is the gateway's signed internal identity (the client's access token never reaches Audit). That
/// identity is short-lived but checked only when each request arrives: the negotiate POST and the WebSocket GET each
/// get a fresh one, and an open WebSocket keeps the organization it connected with until it closes.
/// </remarks>
[Authorize(Policy = SynaxisPolicies.Member)]
public sealed class EventsHub : Hub
{
    /// <summary>The group every connection of <paramref name="organizationId"/> joins.</summary>
    public static string OrganizationGroup(Guid organizationId) => $"org:{organizationId}";

    public override async Task OnConnectedAsync()
    {
        // The Member policy guarantees the organization claim; a principal without one never gets here.
        var organizationId = Context.User!.GetOrganizationId();
        await Groups.AddToGroupAsync(Context.ConnectionId, OrganizationGroup(organizationId), Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }
}
