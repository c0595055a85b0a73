using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Synaxis.ServiceKit.Events;

internal sealed class EventOutbox(IHttpContextAccessor httpContextAccessor, TimeProvider timeProvider) : IEventOutbox
{
    public EventOrigin CurrentOrigin => EventOrigin.FromPrincipal(httpContextAccessor.HttpContext?.User);

    public Guid? CurrentOrganizationId => EventOrigin.OrganizationOf(httpContextAccessor.HttpContext?.User);

    public SynaxisEvent Add(DbContext context, string type, Guid? organizationId, JsonElement data, EventOrigin? origin = null) =>
        context.AddEvent(type, organizationId, data, origin ?? CurrentOrigin, timeProvider);

    public SynaxisEvent Add<TData>(DbContext context, string type, Guid? organizationId, TData data, JsonTypeInfo<TData> dataType, EventOrigin? origin = null) =>
        context.AddEvent(type, organizationId, data, dataType, origin ?? CurrentOrigin, timeProvider);
}
