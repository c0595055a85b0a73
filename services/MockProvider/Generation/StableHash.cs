namespace Synaxis.MockProvider.Generation;

/// <summary>
/// FNV-1a over UTF-16 code units: stable across processes and runs, unlike string.GetHashCode, so the
/// same prompt always gets the same reply. Not for security; embeddings use SHA-256.
/// </summary>
public static class StableHash
{
    public static ulong Of(ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
