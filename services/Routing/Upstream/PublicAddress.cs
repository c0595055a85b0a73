using System.Net;
using System.Net.Sockets;

namespace Synaxis.Routing.Upstream;

/// <summary>
/// Where an organization's custom provider may be: on the public internet. An organization Admin chooses its base URL,
/// and Routing relays whatever answers there (error bodies included), so a URL aimed at this machine, the cluster, the
/// LAN or the cloud's metadata service would let them read internal HTTP services. Global providers (platform
/// administrators) are not held to this. Checked twice: the admin API refuses an IP literal or <c>localhost</c> at once
/// (<see cref="RefusalOf"/>), and the custom providers' HTTP client refuses every connection to an address that is not
/// public (<see cref="PublicAddressConnector"/>), which is what stops a DNS name that resolves (or later rebinds) to one.
/// </summary>
public static class PublicAddress
{
    // IPv4 ranges that are not public unicast (IANA special-purpose registry, RFC 6890 and successors).
    private static readonly IPNetwork[] RefusedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network", 0.0.0.0 (reaches this machine on Linux)
        IPNetwork.Parse("10.0.0.0/8"), // private
        IPNetwork.Parse("100.64.0.0/10"), // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"), // loopback
        IPNetwork.Parse("169.254.0.0/16"), // link-local, cloud metadata (169.254.169.254)
        IPNetwork.Parse("172.16.0.0/12"), // private
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"), // documentation (TEST-NET-1)
        IPNetwork.Parse("192.88.99.0/24"), // 6to4 relay anycast (deprecated)
        IPNetwork.Parse("192.168.0.0/16"), // private
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("198.51.100.0/24"), // documentation (TEST-NET-2)
        IPNetwork.Parse("203.0.113.0/24"), // documentation (TEST-NET-3)
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved, and the broadcast 255.255.255.255
    ];

    // Public IPv6 is global unicast (2000::/3): that one rule refuses ::, ::1, the deprecated IPv4-compatible ::/96,
    // unique-local fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8, discard 100::/64 and
    // local-use NAT64 64:ff9b:1::/48. Within it, these are not public either.
    private static readonly IPNetwork GlobalUnicastV6 = IPNetwork.Parse("2000::/3");

    private static readonly IPNetwork[] RefusedV6 =
    [
        IPNetwork.Parse("2001::/23"), // IETF protocol assignments: Teredo, benchmarking, ORCHID
        IPNetwork.Parse("2001:db8::/32"), // documentation
        IPNetwork.Parse("3fff::/20"), // documentation
    ];

    // IPv6 forms that reach an IPv4 address: judged by that address.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Whether <paramref name="address"/> is public unicast: neither loopback, private, link-local, multicast nor reserved.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !RefusedV4.Any(network => network.Contains(address));
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (Nat64.Contains(address))
        {
            return IsPublic(new IPAddress(bytes[12..]));
        }
        if (SixToFour.Contains(address))
        {
            return IsPublic(new IPAddress(bytes[2..6]));
        }
        return GlobalUnicastV6.Contains(address) && !RefusedV6.Any(network => network.Contains(address));
    }

    /// <summary>
    /// Why <paramref name="baseUrl"/> cannot be an organization's provider, or null when it may be: not an http or https
    /// URL, <c>localhost</c> (or a name under it), or an IP literal that is not public. Any other DNS name passes:
    /// what it resolves to is checked on every connection.
    /// </summary>
    public static string? RefusalOf(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "baseUrl must be an absolute http or https URL.";
        }
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(uri.DnsSafeHost, out var literal) && !IsPublic(literal))
        {
            return $"baseUrl points at {literal}, which is not a public address (loopback, private, link-local or reserved): "
                + "an organization's provider must be reachable on the public internet.";
        }
        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"baseUrl points at {host}, which is this server itself: an organization's provider must be reachable on the public internet.";
        }
        return null;
    }
}
