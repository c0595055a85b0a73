using System.Text.Json;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Model;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;

namespace Synaxis.Audit.Ingestion;

/// <summary>What one event becomes in Audit's tables; see the service's README for the rules.</summary>
public sealed record MappedEvent(SynaxisEvent Event, AuditLog? Log, UsageRecord? Usage, OrganizationRetention? Retention);

/// <summary>An event Audit cannot store (a malformed <c>UsageRecorded</c>, say): dead-lettered with <see cref="Exception.Message"/>.</summary>
public sealed class UnstorableEventException(string message) : Exception(message);

/// <summary>
/// Turns events into rows: <c>UsageRecorded</c> into a <see cref="UsageRecord"/> only, every other event into an
/// <see cref="AuditLog"/> (not yet chained: sequence and hashes are set under the organization's lock), and
/// Identity's <c>SettingsChanged</c> also into the organization's <see cref="OrganizationRetention"/>.
/// </summary>
public static class EventMapper
{
    public const string SettingsChanged = "SettingsChanged";

    /// <summary>Identity's bounds of <c>auditRetentionDays</c>; anything outside is ignored.</summary>
    public const int MaxRetentionDays = 3650;

    /// <summary>numeric(18,9) holds less than 10^9.</summary>
    private const decimal MaxUsd = 999_999_999.999999999m;

    /// <exception cref="UnstorableEventException">The event cannot be stored as it is.</exception>
    public static MappedEvent Map(SynaxisEvent @event)
    {
        var occurredAt = ChainHasher.ToStoredPrecision(@event.OccurredAt);
        if (@event.Type == UsageRecordedData.EventType)
        {
            return new MappedEvent(@event, null, MapUsage(@event, occurredAt), null);
        }
        var log = MapLog(@event, occurredAt);
        var retention = @event.Type == SettingsChanged && @event.OrganizationId is { } organizationId && organizationId != Guid.Empty
            ? MapRetention(@event.Data, organizationId, occurredAt)
            : null;
        return new MappedEvent(@event, log, null, retention);
    }

    /// <summary>The UTC date an instant falls on: the partition of its rows.</summary>
    public static DateOnly PartitionDateOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);

    private static AuditLog MapLog(SynaxisEvent @event, DateTimeOffset occurredAt)
    {
        var data = @event.Data;
        string? previous = null;
        string? next;
        if (data.ValueKind == JsonValueKind.Object && (data.TryGetProperty("before", out _) || data.TryGetProperty("after", out _)))
        {
            previous = JsonOrNull(data, "before");
            next = JsonOrNull(data, "after");
        }
        else
        {
            next = data.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : CanonicalJson.ToText(data);
        }
        var type = Text.Clean(@event.Type);
        return new AuditLog
        {
            Id = @event.Id,
            PartitionDate = PartitionDateOf(occurredAt),
            OrganizationId = @event.OrganizationId ?? Guid.Empty,
            ActorId = @event.ActorId,
            ActorType = Text.Clean(@event.ActorType),
            Action = type,
            ResourceType = ResourceNaming.TypeOf(type),
            ResourceId = ResourceNaming.IdOf(data),
            PreviousValues = previous,
            NewValues = next,
            RequestId = Text.CleanOrNull(@event.RequestId),
            ClientAddress = Text.CleanOrNull(@event.ClientAddress),
            UserAgent = Text.CleanOrNull(@event.UserAgent),
            OccurredAt = occurredAt,
        };
    }

    private static string? JsonOrNull(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? CanonicalJson.ToText(value) : null;

    private static UsageRecord MapUsage(SynaxisEvent @event, DateTimeOffset occurredAt)
    {
        if (@event.OrganizationId is not { } organizationId || organizationId == Guid.Empty)
        {
            throw new UnstorableEventException("A UsageRecorded event names no organization.");
        }
        UsageRecordedData? usage;
        try
        {
            usage = @event.DataAs(InferenceEventsJsonContext.Default.UsageRecordedData);
        }
        catch (JsonException exception)
        {
            throw new UnstorableEventException($"The UsageRecorded data does not read: {exception.Message}");
        }
        if (usage is null || string.IsNullOrEmpty(usage.Model))
        {
            throw new UnstorableEventException("The UsageRecorded data has no model.");
        }
        if (Math.Abs(usage.CostUsd) > MaxUsd || Math.Abs(usage.MoneySavedUsd) > MaxUsd)
        {
            throw new UnstorableEventException("The UsageRecorded amounts exceed numeric(18,9).");
        }
        return new UsageRecord
        {
            Id = @event.Id,
            PartitionDate = PartitionDateOf(occurredAt),
            OrganizationId = organizationId,
            GroupId = usage.GroupId,
            UserId = usage.UserId,
            KeyId = usage.KeyId,
            Model = Text.Clean(usage.Model),
            Provider = Text.CleanOrNull(usage.Provider),
            ProviderTier = Text.CleanOrNull(usage.ProviderTier),
            InputTokens = usage.InputTokens,
            OutputTokens = usage.OutputTokens,
            // What PostgreSQL stores (it rounds half away from zero too), so broadcasts say what the table holds.
            CostUsd = Math.Round(usage.CostUsd, 9, MidpointRounding.AwayFromZero),
            MoneySavedUsd = Math.Round(usage.MoneySavedUsd, 9, MidpointRounding.AwayFromZero),
            LatencyMs = usage.LatencyMs,
            StatusCode = usage.StatusCode,
            RequestId = Text.CleanOrNull(@event.RequestId),
            OccurredAt = occurredAt,
        };
    }

    /// <summary><c>data.after.auditRetentionDays</c>, when it is a whole number of days Identity allows.</summary>
    private static OrganizationRetention? MapRetention(JsonElement data, Guid organizationId, DateTimeOffset occurredAt) =>
        data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("after", out var after) && after.ValueKind == JsonValueKind.Object
        && after.TryGetProperty("auditRetentionDays", out var days) && days.ValueKind == JsonValueKind.Number
        && days.TryGetInt32(out var value) && value is >= 1 and <= MaxRetentionDays
            ? new OrganizationRetention { OrganizationId = organizationId, RetentionDays = value, UpdatedAt = occurredAt }
            : null;
}
