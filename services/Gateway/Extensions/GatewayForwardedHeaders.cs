using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Synaxis.Gateway.Extensions;

/// <summary>
/// <c>X-Forwarded-For</c>/<c>-Proto</c> from the load balancers in <c>Gateway:ForwardedHeaders:KnownProxies</c>
/// (addresses) and <c>KnownNetworks</c> (CIDR), so the failure limiter counts the client's address rather than the
/// balancer's. Empty by default, and then nobody is trusted (not even loopback, which ASP.NET Core trusts by
/// default): a client cannot choose the address it is limited by.
/// </summary>
internal static class GatewayForwardedHeaders
{
    public const string SectionName = "Gateway:ForwardedHeaders";

    public static void AddGatewayForwardedHeaders(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SectionName);
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Careful: with both lists empty ASP.NET Core trusts EVERY peer, so "nobody configured" must mean "read no
            // forwarded header at all", not merely "clear the lists".
            options.ForwardedHeaders = proxies.Length == 0 && networks.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"'{SectionName}:KnownProxies' holds '{proxy}', which is not an IP address."));
            }
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"'{SectionName}:KnownNetworks' holds '{network}', which is not a CIDR network."));
            }
        });
    }
}
