namespace Synaxis.Audit.Model;

/// <summary>One inference as Routing reported it (<c>UsageRecorded</c>; table <c>UsageRecords</c>, partitioned by date). Not chained.</summary>
public sealed class UsageRecord
{
    /// <summary>The event's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The UTC date of <see cref="OccurredAt"/>: the partition key.</summary>
    public DateOnly PartitionDate { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid? GroupId { get; set; }

    public Guid? UserId { get; set; }

    public Guid? KeyId { get; set; }

    public string Model { get; set; } = "";

    public string? Provider { get; set; }

    public string? ProviderTier { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    /// <summary>numeric(18,9).</summary>
    public decimal CostUsd { get; set; }

    /// <summary>numeric(18,9).</summary>
    public decimal MoneySavedUsd { get; set; }

    public long LatencyMs { get; set; }

    public int StatusCode { get; set; }

    public string? RequestId { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
}
