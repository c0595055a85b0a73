using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Writes events into a DbContext's outbox with the actor and request id of the current HTTP request
/// filled in (scoped; registered by <c>AddEventOutbox</c> and <c>AddOutboxRelay</c>). Save the
/// context afterwards: the event commits with the change.
/// </summary>
public interface IEventOutbox
{
    /// <summary>The current request's caller (see <see cref="EventOrigin.FromPrincipal"/>); the system outside a request.</summary>
    EventOrigin CurrentOrigin { get; }

    /// <summary>The current caller's organization (<c>org_id</c>), if any.</summary>
    Guid? CurrentOrganizationId { get; }

    /// <param name="origin">Overrides <see cref="CurrentOrigin"/> when given.</param>
    SynaxisEvent Add(DbContext context, string type, Guid? organizationId, JsonElement data, EventOrigin? origin = null);

    /// <param name="origin">Overrides <see cref="CurrentOrigin"/> when given.</param>
    SynaxisEvent Add<TData>(DbContext context, string type, Guid? organizationId, TData data, JsonTypeInfo<TData> dataType, EventOrigin? origin = null);
}
