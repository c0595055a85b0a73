using System.Net;
using System.Net.Sockets;
using Synaxis.Routing.Upstream;

namespace Synaxis.Routing.Tests.Upstream;

/// <summary>Which addresses and base URLs an organization's provider may use: public ones only.</summary>
public sealed class PublicAddressTests
{
    [Theory]
    [InlineData("0.0.0.0")] // unspecified: reaches this machine
    [InlineData("0.1.2.3")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("10.0.0.5")]
    [InlineData("100.64.0.1")] // carrier-grade NAT
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")]
    [InlineData("192.168.1.10")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.1")] // multicast
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")] // reserved
    [InlineData("255.255.255.255")] // broadcast
    public void Non_public_ipv4_addresses_are_refused(string address) =>
        Assert.False(PublicAddress.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("::")] // unspecified
    [InlineData("::1")] // loopback
    [InlineData("::127.0.0.1")] // IPv4-compatible (deprecated)
    [InlineData("fe80::1")] // link-local
    [InlineData("fe80::1%2")]
    [InlineData("febf::1")]
    [InlineData("fec0::1")] // site-local
    [InlineData("fc00::1")] // unique local
    [InlineData("fd12:3456:789a::1")]
    [InlineData("ff02::1")] // multicast
    [InlineData("100::1")] // discard-only
    [InlineData("64:ff9b:1::1")] // local-use NAT64
    [InlineData("2001::1")] // Teredo
    [InlineData("2001:2::1")] // benchmarking
    [InlineData("2001:db8::1")] // documentation
    [InlineData("3fff::1")]
    public void Non_public_ipv6_addresses_are_refused(string address) =>
        Assert.False(PublicAddress.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("64:ff9b::127.0.0.1")] // NAT64 of loopback
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("2002:7f00:1::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:c0a8:101::1")] // 6to4 of 192.168.1.1
    public void Ipv6_forms_of_non_public_ipv4_addresses_are_refused(string address) =>
        Assert.False(PublicAddress.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("104.18.2.3")]
    [InlineData("100.63.255.255")] // just below carrier-grade NAT
    [InlineData("100.128.0.0")] // just above it
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.169.0.1")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2a00:1450:4001::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] // NAT64 of 8.8.8.8 (an IPv6-only network's DNS64 answer)
    [InlineData("2002:808:808::1")] // 6to4 of 8.8.8.8
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(PublicAddress.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("http://127.0.0.1:8080/v1", "127.0.0.1")]
    [InlineData("http://169.254.169.254/", "169.254.169.254")]
    [InlineData("http://[::1]/", "::1")]
    [InlineData("http://[::ffff:127.0.0.1]:11434/v1/", "127.0.0.1")]
    [InlineData("http://10.0.0.5/", "10.0.0.5")]
    [InlineData("https://0.0.0.0:8443/", "0.0.0.0")]
    [InlineData("http://2130706433/", "127.0.0.1")] // 127.0.0.1 as one number
    [InlineData("http://0x7f.1/", "127.0.0.1")]
    [InlineData("http://[fe80::1]/", "fe80::1")]
    [InlineData("http://localhost:11434/v1", "localhost")]
    [InlineData("http://LOCALHOST./v1", "localhost")]
    [InlineData("http://ollama.localhost/v1", "ollama.localhost")]
    public void Base_urls_on_this_machine_or_private_networks_are_refused_naming_the_address(string baseUrl, string named)
    {
        var refusal = PublicAddress.RefusalOf(baseUrl);
        Assert.NotNull(refusal);
        Assert.Contains("baseUrl", refusal);
        Assert.Contains(named, refusal, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("ftp://example.com/v1")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://example.com/")]
    [InlineData("/v1/relative")]
    public void Base_urls_that_are_not_http_are_refused(string baseUrl) =>
        Assert.Contains("http or https", PublicAddress.RefusalOf(baseUrl));

    [Theory]
    [InlineData("https://api.groq.com/openai/v1/")]
    [InlineData("https://api.anthropic.com/v1/")]
    [InlineData("http://8.8.8.8/v1/")]
    [InlineData("https://[2606:4700::1111]/v1/")]
    [InlineData("https://localhost.example.com/v1/")] // a DNS name: checked when connecting
    [InlineData("http://127.0.0.1.nip.io/v1/")]
    public void Public_addresses_and_dns_names_pass_the_url_check(string baseUrl) =>
        Assert.Null(PublicAddress.RefusalOf(baseUrl));

    [Fact]
    public void The_default_refuses_private_networks() => Assert.False(new CustomProviderOptions().AllowPrivateNetworks);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task The_connector_refuses_a_loopback_server_with_an_http_request_exception_before_connecting(string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = PublicAddressConnector.ConnectAsync, UseProxy = false });

        // HttpRequestException is what InferenceProxy and ProviderProbe catch as a connect failure of one provider.
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://{host}:{port}/v1/models"));

        Assert.Contains("not a public address", refused.Message);
        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);
        Assert.False(listener.Pending()); // nobody connected
    }
}
