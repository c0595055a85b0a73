namespace Synaxis.Audit.Model;

/// <summary>The last row of an organization's chain: where the next one links to (read and moved under the organization's lock).</summary>
public sealed class ChainHead
{
    public Guid OrganizationId { get; set; }

    public long Sequence { get; set; }

    public byte[] Hash { get; set; } = [];
}

/// <summary>
/// A chain row that retention removed while the row after it stayed (or was still to come): its sequence and hash, so
/// the row after it still proves its link. Written in the transaction that removes the row.
/// </summary>
public sealed class ChainCheckpoint
{
    public Guid OrganizationId { get; set; }

    public long Sequence { get; set; }

    public byte[] Hash { get; set; } = [];

    /// <summary><see cref="ChainCheckpointReasons"/>.</summary>
    public string Reason { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

public static class ChainCheckpointReasons
{
    /// <summary>The row's whole daily partition was dropped (older than every retention in force).</summary>
    public const string PartitionDropped = "partition-dropped";

    /// <summary>The row was older than its organization's own (shorter) retention.</summary>
    public const string Retention = "retention";
}

/// <summary>An organization's audit retention, from Identity's <c>SettingsChanged</c>; organizations without a row keep the default.</summary>
public sealed class OrganizationRetention
{
    public Guid OrganizationId { get; set; }

    public int RetentionDays { get; set; }

    /// <summary>When the setting changed (the event's time): an older event arriving late does not undo a newer one.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
