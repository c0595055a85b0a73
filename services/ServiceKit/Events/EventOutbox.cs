using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Synaxis.ServiceKit.Events;

internal sealed class EventOutbox(IHttpContextAccessor httpContextAccessor, TimeProvider timeProvider) : IEventOutbox
{
    /// <summary>
    /// The header that carries the client's address from the gateway: YARP sets <c>X-Forwarded-For</c> to the address
    /// it received the request from (after its own forwarded-headers middleware resolved trusted load balancers), and
    /// replaces whatever the client sent. Services are reached only through the gateway.
    /// </summary>
    public const string ForwardedForHeader = "X-Forwarded-For";

    public EventOrigin CurrentOrigin => WithRequestClient(EventOrigin.FromPrincipal(httpContextAccessor.HttpContext?.User));

    public Guid? CurrentOrganizationId => EventOrigin.OrganizationOf(httpContextAccessor.HttpContext?.User);

    public SynaxisEvent Add(DbContext context, string type, Guid? organizationId, JsonElement data, EventOrigin? origin = null) =>
        context.AddEvent(type, organizationId, data, origin is null ? CurrentOrigin : WithRequestClient(origin), timeProvider);

    public SynaxisEvent Add<TData>(DbContext context, string type, Guid? organizationId, TData data, JsonTypeInfo<TData> dataType, EventOrigin? origin = null) =>
        context.AddEvent(type, organizationId, data, dataType, origin is null ? CurrentOrigin : WithRequestClient(origin), timeProvider);

    /// <summary>
    /// The current request's client (address and user agent) added to <paramref name="origin"/>: who called is a fact
    /// of the request, whoever the event names as actor (a registration names the new user, say).
    /// </summary>
    private EventOrigin WithRequestClient(EventOrigin origin) =>
        httpContextAccessor.HttpContext is { } http
            ? origin.WithClient(ClientAddressOf(http), http.Request.Headers[HeaderNames.UserAgent].ToString())
            : origin;

    /// <summary>
    /// The last <c>X-Forwarded-For</c> entry (the one the nearest proxy, the gateway, wrote) when it is an IP address,
    /// else the connection's peer. Anything that is not an address is dropped rather than recorded as one.
    /// </summary>
    internal static string? ClientAddressOf(HttpContext http)
    {
        var forwarded = http.Request.Headers[ForwardedForHeader].ToString();
        if (forwarded.Length > 0)
        {
            var last = forwarded[(forwarded.LastIndexOf(',') + 1)..].Trim();
            return IPAddress.TryParse(last, out var address) ? Format(address) : null;
        }
        return http.Connection.RemoteIpAddress is { } peer ? Format(peer) : null;
    }

    private static string Format(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
