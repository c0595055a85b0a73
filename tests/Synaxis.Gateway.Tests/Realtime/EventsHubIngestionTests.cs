extern alias audit;

using System.Text.Json;
using audit::Synaxis.Audit.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>
/// From the bus to the browser: an event a service publishes is ingested by an Audit instance and pushed, after its
/// commit, to the hub clients of its organization only.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class EventsHubIngestionTests(RealtimeFixture fixture)
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_event_published_on_the_bus_reaches_its_organizations_clients_as_AuditEvent()
    {
        await using var a = await HubListener.RegisterAndConnectAsync(fixture);
        await using var b = await HubListener.RegisterAndConnectAsync(fixture);

        var marker = Broadcasts.NewMarker();
        var @event = SynaxisEvent.Create(
            "GroupCreated",
            a.OrganizationId,
            JsonSerializer.SerializeToElement(new { after = new { id = Guid.NewGuid(), name = marker } }),
            EventOrigin.User(a.Caller.UserId, requestId: marker),
            DateTimeOffset.UtcNow);
        // As a service's outbox relay publishes it.
        var publisher = fixture.OtherAudit.Services.GetRequiredService<EventStreamPublisher>();
        Assert.True(await publisher.PublishAsync(
            new OutboxMessage { Id = @event.Id, Type = @event.Type, OrganizationId = @event.OrganizationId, Payload = @event.ToJson() },
            CancellationToken.None));

        var received = await a.Inbox.WaitForAsync(@event.Id.ToString(), Broadcasts.Patience);
        Assert.NotNull(received);
        Assert.Equal(AuditBroadcastMethods.AuditEvent, received.Method);
        using (var payload = JsonDocument.Parse(received.Json))
        {
            var log = payload.RootElement;
            Assert.Equal(@event.Id, log.GetProperty("id").GetGuid());
            Assert.Equal("GroupCreated", log.GetProperty("action").GetString());
            Assert.Equal(a.Caller.UserId, log.GetProperty("actorId").GetGuid());
            Assert.Equal(marker, log.GetProperty("newValues").GetProperty("name").GetString());
            Assert.True(log.GetProperty("sequence").GetInt64() > 0);
        }

        await Task.Delay(Silence);
        Assert.DoesNotContain(b.Inbox.Messages, message => message.Json.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Usage_on_the_usage_stream_reaches_its_organizations_clients_as_UsageRecorded_and_CostOptimizationApplied()
    {
        await using var a = await HubListener.RegisterAndConnectAsync(fixture);
        await using var b = await HubListener.RegisterAndConnectAsync(fixture);

        var requestId = Broadcasts.NewMarker();
        var usage = new UsageRecordedData(a.Caller.UserId, GroupId: null, KeyId: null, ReservationId: null, "gpt-4o-mini", "mock", "free",
            InputTokens: 120, OutputTokens: 30, CostUsd: 0.000_1m, MoneySavedUsd: 0.002m, LatencyMs: 42, StatusCode: 200);
        var @event = SynaxisEvent.Create(
            UsageRecordedData.EventType,
            a.OrganizationId,
            JsonSerializer.SerializeToElement(usage, InferenceEventsJsonContext.Default.UsageRecordedData),
            EventOrigin.User(a.Caller.UserId, requestId),
            DateTimeOffset.UtcNow);
        // As Routing appends it: straight to the usage stream.
        await fixture.OtherAudit.Services.GetRequiredService<EventStreamPublisher>().AppendAsync(@event, EventStreamKind.Usage);

        var recorded = await a.Inbox.WaitForAsync(AuditBroadcastMethods.UsageRecorded, requestId, Broadcasts.Patience);
        var saved = await a.Inbox.WaitForAsync(AuditBroadcastMethods.CostOptimizationApplied, requestId, Broadcasts.Patience);
        Assert.NotNull(recorded);
        Assert.NotNull(saved);
        using (var payload = JsonDocument.Parse(recorded.Json))
        {
            Assert.Equal(150, payload.RootElement.GetProperty("totalTokens").GetInt64());
        }
        using (var payload = JsonDocument.Parse(saved.Json))
        {
            Assert.Equal(0.002m, payload.RootElement.GetProperty("moneySavedUsd").GetDecimal());
        }

        await Task.Delay(Silence);
        Assert.DoesNotContain(b.Inbox.Messages, message => message.Json.Contains(requestId, StringComparison.Ordinal));
    }
}
