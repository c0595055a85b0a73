using System.Globalization;

namespace Synaxis.ServiceKit.Admission;

/// <summary>
/// The reservation id of a request admitted from a lease: <c>&lt;lease id&gt;.&lt;sequence&gt;.&lt;tokens reserved&gt;</c>
/// (32 hex digits, then two decimal numbers). It names the lease's reservation template and the request's own
/// estimate, so the gateway writes nothing per leased request; an admission script's id is 32 hex digits without dots.
/// Only the gateway sets it (it strips any the client sent), so the estimate it carries is the one counted.
/// </summary>
public static class LeasedReservationId
{
    private static long _sequence;

    public static string Create(string leaseId, long tokens) =>
        string.Create(CultureInfo.InvariantCulture, $"{leaseId}.{Interlocked.Increment(ref _sequence)}.{tokens}");

    public static bool TryParse(string reservationId, out string leaseId, out long tokens)
    {
        leaseId = string.Empty;
        tokens = 0;
        var span = reservationId.AsSpan();
        var first = span.IndexOf('.');
        var last = span.LastIndexOf('.');
        if (first != 32 || last <= first + 1 || !IsHex(span[..32])
            || !long.TryParse(span[(first + 1)..last], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || !long.TryParse(span[(last + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out tokens))
        {
            return false;
        }
        leaseId = reservationId[..32];
        return true;
    }

    private static bool IsHex(ReadOnlySpan<char> value) => !value.ContainsAnyExcept("0123456789abcdef");
}
