namespace Synaxis.Audit.Partitions;

/// <summary><c>Audit:Partitions</c>.</summary>
public sealed class PartitionOptions
{
    public const string SectionName = "Audit:Partitions";

    /// <summary>Daily partitions kept ready ahead of today (today is always made too).</summary>
    public int DaysAhead { get; set; } = 7;

    /// <summary>How often the partitions ahead are checked.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
