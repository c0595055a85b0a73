namespace Synaxis.Audit.Realtime;

/// <summary>
/// Pushes what ingestion has just committed to the SignalR clients of <c>/hubs/events</c>. Ingestion calls it after
/// each committed batch (never before the commit: a client must not see an event the log does not hold).
/// </summary>
public interface IAuditBroadcaster
{
    ValueTask PublishAsync(IReadOnlyList<AuditBroadcast> messages, CancellationToken cancellationToken);
}

/// <summary>One hub message.</summary>
/// <param name="OrganizationId">Whose clients receive it; null for platform-wide news (a global provider's health), sent to every client.</param>
/// <param name="Method">
/// The client method (API.md): <see cref="AuditBroadcastMethods.AuditEvent"/>, <see cref="AuditBroadcastMethods.UsageRecorded"/>,
/// <see cref="AuditBroadcastMethods.ProviderHealthChanged"/>, <see cref="AuditBroadcastMethods.KeyRevoked"/> or
/// <see cref="AuditBroadcastMethods.CostOptimizationApplied"/>.
/// </param>
/// <param name="Payload">The message's single argument, serialized camelCase.</param>
public sealed record AuditBroadcast(Guid? OrganizationId, string Method, object Payload);

public static class AuditBroadcastMethods
{
    public const string AuditEvent = "AuditEvent";
    public const string UsageRecorded = "UsageRecorded";
    public const string ProviderHealthChanged = "ProviderHealthChanged";
    public const string KeyRevoked = "KeyRevoked";
    public const string CostOptimizationApplied = "CostOptimizationApplied";
}
