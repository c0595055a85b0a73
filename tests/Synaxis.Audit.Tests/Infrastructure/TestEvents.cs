using System.Text.Json;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;

namespace Synaxis.Audit.Tests.Infrastructure;

/// <summary>Events as the services write them.</summary>
public static class TestEvents
{
    public static SynaxisEvent Admin(string type, Guid? organizationId, object data, EventOrigin? origin = null, DateTimeOffset? occurredAt = null) =>
        SynaxisEvent.Create(type, organizationId, JsonSerializer.SerializeToElement(data, JsonSerializerOptions.Web),
            origin ?? EventOrigin.User(Guid.NewGuid(), Guid.NewGuid().ToString("N")), occurredAt ?? DateTimeOffset.UtcNow);

    /// <summary>A <c>{before, after}</c> change, as Identity, Keys, RateLimit and Routing write them.</summary>
    public static SynaxisEvent Change(string type, Guid organizationId, object? before, object? after, EventOrigin? origin = null, DateTimeOffset? occurredAt = null) =>
        Admin(type, organizationId, new { before, after }, origin, occurredAt);

    public static SynaxisEvent Usage(
        Guid organizationId,
        string model = "mock-chat",
        string? provider = "mock-free",
        long input = 10,
        long output = 20,
        decimal cost = 0m,
        decimal saved = 0m,
        Guid? key = null,
        Guid? user = null,
        Guid? group = null,
        DateTimeOffset? occurredAt = null) =>
        SynaxisEvent.Create(UsageRecordedData.EventType, organizationId,
            JsonSerializer.SerializeToElement(
                new UsageRecordedData(user, group, key, null, model, provider, cost == 0 ? "free" : "paid", input, output, cost, saved, 42, 200),
                InferenceEventsJsonContext.Default.UsageRecordedData),
            EventOrigin.User(user ?? Guid.NewGuid(), Guid.NewGuid().ToString("N")), occurredAt ?? DateTimeOffset.UtcNow);
}
