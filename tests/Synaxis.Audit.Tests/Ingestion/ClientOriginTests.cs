using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Audit.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Tests.Ingestion;

/// <summary>
/// Events written during a request carry the client's address (the X-Forwarded-For the gateway sets) and its
/// User-Agent, so the audit trail can say where a change came from; envelopes without them still read.
/// </summary>
public sealed class ClientOriginTests
{
    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("203.0.113.1, 198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("not-an-address", null)]
    public void The_outbox_records_the_address_the_gateway_forwarded(string forwardedFor, string? expected)
    {
        var @event = WriteDuringRequest(http => http.Request.Headers["X-Forwarded-For"] = forwardedFor);

        Assert.Equal(expected, @event.ClientAddress);
    }

    [Fact]
    public void The_user_agent_is_kept_up_to_512_characters_and_an_explicit_origin_keeps_the_requests_client()
    {
        var userAgent = "agent/" + new string('x', 700);

        var @event = WriteDuringRequest(http =>
        {
            http.Request.Headers.UserAgent = userAgent;
            http.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("192.0.2.44");
        }, EventOrigin.User(Guid.NewGuid(), "req-1"));

        Assert.Equal(userAgent[..EventOrigin.MaxUserAgentLength], @event.UserAgent);
        Assert.Equal("192.0.2.44", @event.ClientAddress);
        Assert.Equal("req-1", @event.RequestId);
    }

    [Fact]
    public void Outside_a_request_there_is_no_client_and_an_envelope_without_one_still_reads()
    {
        var @event = WriteDuringRequest(null);
        Assert.Null(@event.ClientAddress);
        Assert.Null(@event.UserAgent);

        var old = SynaxisEvent.FromJson("""{"id":"0190a000-0000-7000-8000-000000000001","type":"KeyCreated","actorType":"system","occurredAt":"2026-01-05T10:00:00Z","data":{}}""");
        Assert.Null(old.ClientAddress);
        var carried = SynaxisEvent.FromJson((old with { ClientAddress = "2001:db8::2", UserAgent = "ua" }).ToJson());
        Assert.Equal(("2001:db8::2", "ua"), (carried.ClientAddress, carried.UserAgent));
        Assert.Equal(("2001:db8::2", "ua"), (EventOrigin.CausedBy(carried).ClientAddress, EventOrigin.CausedBy(carried).UserAgent));
    }

    private static SynaxisEvent WriteDuringRequest(Action<HttpContext>? request, EventOrigin? origin = null)
    {
        using var services = new ServiceCollection().AddEventOutbox().BuildServiceProvider();
        if (request is not null)
        {
            var http = new DefaultHttpContext();
            request(http);
            services.GetRequiredService<IHttpContextAccessor>().HttpContext = http;
        }
        using var db = new AuditDbContext(new DbContextOptionsBuilder<AuditDbContext>().UseNpgsql("Host=unused").Options);
        using var data = JsonDocument.Parse("{}");
        return services.GetRequiredService<IEventOutbox>().Add(db, "KeyCreated", Guid.NewGuid(), data.RootElement, origin);
    }
}
