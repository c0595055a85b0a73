namespace Synaxis.Audit.Chain;

/// <summary>
/// The PostgreSQL advisory lock that serializes appends to one organization's chain across Audit instances
/// (<c>pg_advisory_xact_lock(key)</c>, held until the batch commits). Two organizations sharing a key only wait for
/// each other; they never corrupt each other.
/// </summary>
public static class ChainLocks
{
    public static long KeyOf(Guid organizationId)
    {
        Span<byte> bytes = stackalloc byte[16];
        organizationId.TryWriteBytes(bytes);
        return BitConverter.ToInt64(bytes[..8]) ^ BitConverter.ToInt64(bytes[8..]);
    }
}
