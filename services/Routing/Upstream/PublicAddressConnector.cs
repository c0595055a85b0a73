using System.Net;
using System.Net.Sockets;

namespace Synaxis.Routing.Upstream;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of organizations' custom providers: resolves the host itself
/// and connects only when every address it resolves to is public (<see cref="PublicAddress.IsPublic"/>), to one of
/// those very addresses. Checking the URL alone would not do: a DNS name can resolve to a private address, or answer a
/// public one to the check and a private one to the connection (DNS rebinding); here the address checked is the address
/// connected to. One private address among public ones refuses the whole name (it could be tried next). A refusal
/// throws <see cref="HttpRequestException"/>, so the caller sees a connect failure of that provider and moves on.
/// </summary>
public static class PublicAddressConnector
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await ResolveAsync(endpoint.Host, cancellationToken);
        if (Array.Find(addresses, address => !PublicAddress.IsPublic(address)) is { } refused)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError,
                $"Refused to connect to {endpoint.Host}: it is {refused}, which is not a public address; an organization's provider " +
                "must be reachable on the public internet (Routing:CustomProviders:AllowPrivateNetworks is off).");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An IP literal as it is (the handler passes IPv6 without brackets; tolerated either way), else DNS.</summary>
    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var address))
        {
            return [address];
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.Length > 0
            ? addresses
            : throw new HttpRequestException(HttpRequestError.NameResolutionError, $"{host} resolves to no address.");
    }
}
