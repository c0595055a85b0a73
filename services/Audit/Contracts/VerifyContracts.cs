namespace Synaxis.Audit.Contracts;

/// <summary>The answer of <c>GET /api/audit/verify</c>.</summary>
/// <param name="Intact">Every entry checked has its own hash and links to the one before it.</param>
/// <param name="Checked">How many entries were checked.</param>
/// <param name="FirstBrokenEntry">The first entry (in chain order) that failed, or null.</param>
public sealed record VerifyResponse(bool Intact, long Checked, BrokenEntry? FirstBrokenEntry);

/// <summary>Where the chain breaks.</summary>
/// <param name="Id">The entry; null when what is missing is the chain's end (the last entries were deleted).</param>
/// <param name="Sequence">Its sequence (for a missing end: the first sequence missing).</param>
/// <param name="Reason">
/// <c>hash-mismatch</c>: the entry was changed after it was written; <c>missing</c>: entries before it were deleted
/// (a gap in the sequence that retention does not account for); <c>link-mismatch</c>: it does not link to the entry
/// before it (that one was changed and re-hashed, or rows were inserted).
/// </param>
public sealed record BrokenEntry(Guid? Id, long Sequence, DateTimeOffset? OccurredAt, string Reason);

public static class BrokenEntryReasons
{
    public const string HashMismatch = "hash-mismatch";
    public const string Missing = "missing";
    public const string LinkMismatch = "link-mismatch";
}
