using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Synaxis.Keys.Apis;

/// <summary>
/// Where a page of the key list ended: the last key's creation time and id (the list's order, newest first).
/// Opaque to callers: base64url of <c>ticks.id</c>.
/// </summary>
internal readonly record struct ListCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
            $"{CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{Id:N}"));

    public static ListCursor? TryParse(string cursor)
    {
        if (cursor.Length is 0 or > 100)
        {
            return null;
        }
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return null;
        }
        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && Guid.TryParseExact(parts[1], "N", out var id)
                ? new ListCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
    }
}
