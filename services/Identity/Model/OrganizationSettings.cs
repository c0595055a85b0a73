using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Model;

public sealed class OrganizationSettings : Entity
{
    public const int DefaultAuditRetentionDays = 90;
    public const string DefaultRoutingStrategy = "miser";

    public static readonly IReadOnlyList<string> RoutingStrategies = ["miser", "cost", "performance", "balanced"];

    public Guid OrganizationId { get; set; }

    public int AuditRetentionDays { get; set; } = DefaultAuditRetentionDays;

    public string RoutingStrategy { get; set; } = DefaultRoutingStrategy;

    public bool AllowPaidFallback { get; set; }

    public string? BaselineModel { get; set; }
}
