namespace Synaxis.Audit.Model;

/// <summary>
/// One recorded event (table <c>Logs</c>, partitioned by <see cref="PartitionDate"/>): who did what to which
/// resource, with the values before and after, chained to the organization's previous row by <see cref="PreviousHash"/>.
/// Append-only: nothing updates a row, only retention removes it.
/// </summary>
public sealed class AuditLog
{
    /// <summary>The event's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The UTC date of <see cref="OccurredAt"/>: the partition key.</summary>
    public DateOnly PartitionDate { get; set; }

    /// <summary>The organization; <see cref="Guid.Empty"/> for platform-wide events, which no API shows.</summary>
    public Guid OrganizationId { get; set; }

    /// <summary>Position in the organization's chain: 1, 2, 3…</summary>
    public long Sequence { get; set; }

    public Guid? ActorId { get; set; }

    public string ActorType { get; set; } = "";

    /// <summary>The event type, e.g. <c>KeyCreated</c>.</summary>
    public string Action { get; set; } = "";

    /// <summary>The event type's noun, e.g. <c>Key</c>.</summary>
    public string ResourceType { get; set; } = "";

    public string? ResourceId { get; set; }

    /// <summary>JSON (jsonb), in canonical form.</summary>
    public string? PreviousValues { get; set; }

    /// <summary>JSON (jsonb), in canonical form.</summary>
    public string? NewValues { get; set; }

    public string? RequestId { get; set; }

    public string? ClientAddress { get; set; }

    public string? UserAgent { get; set; }

    /// <summary>When the event happened, to the microsecond.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>When Audit stored it.</summary>
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>SHA-256 of <see cref="PreviousHash"/> and the row's canonical bytes.</summary>
    public byte[] Hash { get; set; } = [];

    /// <summary>The previous row's <see cref="Hash"/>; 32 zero bytes for the first row of a chain.</summary>
    public byte[] PreviousHash { get; set; } = [];
}
