namespace Synaxis.MockProvider.Faults;

public enum FaultKind
{
    None,
    RateLimit,
    ServerError,
    Hang,
    CutStream,
}

public static class FaultKinds
{
    public const string Names = "none, rate-limit, server-error, hang, cut-stream";

    /// <summary>Parses the names used by <c>x-mock-fault</c> and by configuration.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out FaultKind kind)
    {
        name = name.Trim();
        kind = FaultKind.None;
        if (name.IsEmpty || name.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.Equals("rate-limit", StringComparison.OrdinalIgnoreCase))
        {
            kind = FaultKind.RateLimit;
        }
        else if (name.Equals("server-error", StringComparison.OrdinalIgnoreCase))
        {
            kind = FaultKind.ServerError;
        }
        else if (name.Equals("hang", StringComparison.OrdinalIgnoreCase))
        {
            kind = FaultKind.Hang;
        }
        else if (name.Equals("cut-stream", StringComparison.OrdinalIgnoreCase))
        {
            kind = FaultKind.CutStream;
        }
        else
        {
            return false;
        }

        return true;
    }
}
