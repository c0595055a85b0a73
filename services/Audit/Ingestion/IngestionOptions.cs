namespace Synaxis.Audit.Ingestion;

/// <summary>
/// <c>Audit:Ingestion</c>. Polling, reclaiming and dead-lettering follow the event bus's own settings
/// (<c>Synaxis:Events</c>: ConsumerPollInterval, ClaimMinIdle, ClaimInterval, ConsumerMaxBackoff, StreamMaxLength).
/// </summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Audit:Ingestion";

    /// <summary>The consumer group Audit reads both streams as.</summary>
    public const string ConsumerGroup = "audit";

    /// <summary>Entries read per stream per round trip (XREADGROUP COUNT), all written in one transaction.</summary>
    public int BatchSize { get; set; } = 500;
}
