using System.Text.Json;
using Synaxis.Audit.Model;

namespace Synaxis.Audit.Contracts;

/// <summary>One audit log entry, as <c>GET /api/audit/logs</c> lists it and the hub's <c>AuditEvent</c> pushes it.</summary>
/// <param name="Sequence">Its position in the organization's hash chain.</param>
/// <param name="PreviousValues">The resource before the change (JSON), when the event says.</param>
/// <param name="NewValues">The resource after the change, or the whole event data when it has no before/after.</param>
public sealed record AuditLogResponse(
    Guid Id,
    long Sequence,
    Guid? ActorId,
    string ActorType,
    string Action,
    string ResourceType,
    string? ResourceId,
    JsonElement? PreviousValues,
    JsonElement? NewValues,
    string? RequestId,
    string? ClientAddress,
    string? UserAgent,
    DateTimeOffset OccurredAt)
{
    public static AuditLogResponse Of(AuditLog log) => new(
        log.Id, log.Sequence, log.ActorId, log.ActorType, log.Action, log.ResourceType, log.ResourceId,
        Parse(log.PreviousValues), Parse(log.NewValues), log.RequestId, log.ClientAddress, log.UserAgent, log.OccurredAt);

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <param name="NextCursor">Pass as <c>cursor</c> for the next (older) page; null on the last page.</param>
public sealed record AuditLogPage(IReadOnlyList<AuditLogResponse> Items, string? NextCursor);
