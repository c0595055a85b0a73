namespace Synaxis.Keys.Services;

/// <summary>Settings of the Keys service, bound from the <c>Keys</c> section.</summary>
public sealed class KeysOptions
{
    public const string SectionName = "Keys";

    /// <summary>bcrypt cost: 2^12 rounds, about a quarter of a second per hash on one core.</summary>
    public int WorkFactor { get; set; } = 12;

    /// <summary>
    /// Active (neither revoked nor expired) keys one user may hold in one organization: each create costs a
    /// bcrypt hash, so creation cannot be unbounded. Rotation replaces a key and is not limited by it.
    /// </summary>
    public int MaxActiveKeysPerUser { get; set; } = 50;

    /// <summary>How often the last-use sorted set the gateways fill is drained into <c>LastUsedAt</c>.</summary>
    public TimeSpan LastUsedDrainInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often keys that reached their expiry are evicted from the gateways' caches.</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(10);
}
