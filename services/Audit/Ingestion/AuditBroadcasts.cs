using System.Text.Json;
using Synaxis.Audit.Contracts;
using Synaxis.Audit.Model;
using Synaxis.Audit.Realtime;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Ingestion;

/// <summary>The hub messages a committed batch makes (API.md): only for rows the batch added, never for a redelivery.</summary>
public static class AuditBroadcasts
{
    public const string KeyRevoked = "KeyRevoked";
    public const string ProviderHealthChanged = "ProviderHealthChanged";

    public static List<AuditBroadcast> Of(WrittenBatch written, IReadOnlyDictionary<Guid, SynaxisEvent> events)
    {
        var messages = new List<AuditBroadcast>(written.Logs.Count + written.Usage.Count);
        foreach (var log in written.Logs)
        {
            var @event = events[log.Id];
            // Platform-wide rows (no organization) are in no organization's trail: nobody's AuditEvent.
            if (log.OrganizationId != Guid.Empty)
            {
                messages.Add(new AuditBroadcast(log.OrganizationId, AuditBroadcastMethods.AuditEvent, AuditLogResponse.Of(log)));
            }
            if (@event.Type == KeyRevoked && @event.OrganizationId is { } organizationId && KeyRevocationOf(@event) is { } revocation)
            {
                messages.Add(new AuditBroadcast(organizationId, AuditBroadcastMethods.KeyRevoked, revocation));
            }
            if (@event.Type == ProviderHealthChanged)
            {
                // A global provider's health (no organization) concerns every client.
                messages.Add(new AuditBroadcast(@event.OrganizationId, AuditBroadcastMethods.ProviderHealthChanged, @event.Data));
            }
        }
        foreach (var usage in written.Usage)
        {
            messages.Add(new AuditBroadcast(usage.OrganizationId, AuditBroadcastMethods.UsageRecorded, UsageRecordResponse.Of(usage)));
            if (usage.MoneySavedUsd > 0)
            {
                messages.Add(new AuditBroadcast(usage.OrganizationId, AuditBroadcastMethods.CostOptimizationApplied,
                    new CostOptimizationMessage(usage.Model, usage.Provider, usage.CostUsd, usage.MoneySavedUsd, usage.RequestId)));
            }
        }
        return messages;
    }

    /// <summary>Keys' <c>KeyRevoked</c> data: <c>{ key: { id, revokedAt, … }, reason }</c>.</summary>
    private static KeyRevokedMessage? KeyRevocationOf(SynaxisEvent @event)
    {
        var data = @event.Data;
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.Object
            || !key.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !id.TryGetGuid(out var keyId))
        {
            return null;
        }
        var reason = data.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var revokedAt = key.TryGetProperty("revokedAt", out var at) && at.ValueKind == JsonValueKind.String && at.TryGetDateTimeOffset(out var value)
            ? value
            : @event.OccurredAt;
        return new KeyRevokedMessage(keyId, reason, revokedAt);
    }
}
