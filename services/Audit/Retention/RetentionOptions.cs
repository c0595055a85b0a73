namespace Synaxis.Audit.Retention;

/// <summary><c>Audit:Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Audit:Retention";

    /// <summary>Days an organization's audit trail and usage are kept when its settings say nothing else.</summary>
    public int DefaultDays { get; set; } = 90;

    /// <summary>How often retention runs (also once at start).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);
}
