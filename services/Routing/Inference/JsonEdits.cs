using System.Buffers;
using System.Text.Json;

namespace Synaxis.Routing.Inference;

/// <summary>
/// Byte-level edits of a JSON document found with one <see cref="Utf8JsonReader"/> pass: the untouched bytes are
/// copied as they are (the client's and the upstream's own formatting survive), only the edited values change.
/// </summary>
internal static class JsonEdits
{
    /// <summary>A replacement of <c>[Start, End)</c> with <see cref="Bytes"/> (an insertion when Start == End).</summary>
    public readonly record struct Edit(int Start, int End, byte[] Bytes);

    public static byte[] QuotedString(string value)
    {
        var encoded = JsonEncodedText.Encode(value).EncodedUtf8Bytes;
        var bytes = new byte[encoded.Length + 2];
        bytes[0] = (byte)'"';
        encoded.CopyTo(bytes.AsSpan(1));
        bytes[^1] = (byte)'"';
        return bytes;
    }

    /// <summary>Applies non-overlapping edits (in any order) and writes the result to <paramref name="output"/>.</summary>
    public static void Apply(ReadOnlySpan<byte> source, Span<Edit> edits, IBufferWriter<byte> output)
    {
        edits.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var at = 0;
        foreach (var edit in edits)
        {
            output.Write(source[at..edit.Start]);
            output.Write(edit.Bytes);
            at = edit.End;
        }
        output.Write(source[at..]);
    }

    /// <summary>
    /// Reads the value the reader is positioned on (after a property name) and returns its byte range
    /// <c>[start, end)</c>; containers are skipped whole.
    /// </summary>
    public static (int Start, int End) ValueRange(ref Utf8JsonReader reader)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }
        return (start, (int)reader.BytesConsumed);
    }
}
