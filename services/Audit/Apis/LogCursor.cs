using System.Buffers.Binary;
using System.Buffers.Text;

namespace Synaxis.Audit.Apis;

/// <summary>
/// Where a page of <c>/logs</c> ended: the last entry's (OccurredAt, Id), the keyset the next page continues after.
/// Opaque to clients: base64url of a version byte, the instant in microseconds since the Unix epoch and the id.
/// </summary>
public readonly record struct LogCursor(DateTimeOffset OccurredAt, Guid Id)
{
    private const byte Version = 1;
    private const int Length = 1 + 8 + 16;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], (OccurredAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        Id.TryWriteBytes(bytes[9..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    public static LogCursor? TryDecode(string value)
    {
        Span<byte> bytes = stackalloc byte[Length + 3];
        if (value.Length > 64 || !Base64Url.TryDecodeFromChars(value, bytes, out var written) || written != Length || bytes[0] != Version)
        {
            return null;
        }
        var microseconds = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (microseconds < 0 || microseconds > (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10)
        {
            return null;
        }
        var at = new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + microseconds * 10, TimeSpan.Zero);
        return new LogCursor(at, new Guid(bytes[9..Length], bigEndian: true));
    }
}
