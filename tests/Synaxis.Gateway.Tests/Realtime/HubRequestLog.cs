using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>What an Audit instance received under <c>/hubs</c>, as it arrived (before authentication).</summary>
public sealed record HubRequest(
    string Method,
    string Path,
    string Query,
    bool IsWebSocket,
    bool HasInternalIdentity,
    bool HasAuthorization);

/// <summary>Records every <c>/hubs</c> request an Audit instance sees, installed first in its pipeline.</summary>
public sealed class HubRequestLog : IStartupFilter
{
    private readonly ConcurrentQueue<HubRequest> _requests = new();

    public IReadOnlyList<HubRequest> Requests => [.. _requests];

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments("/hubs"))
            {
                _requests.Enqueue(new HubRequest(
                    request.Method,
                    request.Path.Value ?? "",
                    request.QueryString.Value ?? "",
                    IsWebSocketUpgrade(context),
                    request.Headers.ContainsKey("X-Synaxis-Identity"),
                    request.Headers.ContainsKey("Authorization")));
            }
            return nextMiddleware(context);
        });
        next(app);
    };

    // Recorded before SignalR's own WebSockets middleware runs, so read the handshake itself:
    // an HTTP/1.1 Upgrade, or HTTP/2's extended CONNECT.
    private static bool IsWebSocketUpgrade(HttpContext context) =>
        context.Request.Headers.Upgrade.Any(value => string.Equals(value, "websocket", StringComparison.OrdinalIgnoreCase)) ||
        context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: "websocket" };
}
