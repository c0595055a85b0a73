using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Synaxis.Audit.Chain;

/// <summary>
/// The one way Audit writes JSON that it hashes: the same value always gives the same bytes, whether it comes from the
/// event on the stream or back from a <c>jsonb</c> column (which reorders keys, drops whitespace, keeps the last of
/// duplicate keys and rewrites numbers: <c>1e2</c> reads back <c>100</c>, <c>1.50</c> keeps its zero, <c>-0</c> reads
/// back <c>0</c>).
/// <list type="bullet">
/// <item>Objects: keys sorted by ordinal (UTF-16) order, the last of duplicate keys kept, no whitespace.</item>
/// <item>Strings: only <c>"</c>, <c>\</c> and control characters escaped (<c>\b \f \n \r \t</c>, else <c>\u00xx</c>
/// lowercase); everything else as raw UTF-8. U+0000 and unpaired surrogates, which <c>jsonb</c> cannot hold, become
/// U+FFFD (see <see cref="Text.Clean"/>).</item>
/// <item>Numbers: the exact decimal value without exponent, leading or trailing zeros (<c>1e2</c> → <c>100</c>,
/// <c>1.50</c> → <c>1.5</c>, <c>-0.0</c> → <c>0</c>, <c>123456789012345678901234567890</c> as is). A number longer
/// than <see cref="MaxNumberLength"/> digits once written out is stored as a string of its original text.</item>
/// </list>
/// </summary>
public static class CanonicalJson
{
    /// <summary>Longest number kept as a number (PostgreSQL's numeric takes far more; this bounds what one event can cost).</summary>
    public const int MaxNumberLength = 1000;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>The canonical text of <paramref name="element"/>.</summary>
    public static string ToText(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, element);
        return Utf8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The canonical text of a JSON document (e.g. a <c>jsonb</c> value as PostgreSQL prints it).</summary>
    public static string ToText(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ToText(document.RootElement);
    }

    public static void Write(IBufferWriter<byte> output, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, element);
                break;
            case JsonValueKind.Array:
                WriteRaw(output, "["u8);
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        WriteRaw(output, ","u8);
                    }
                    first = false;
                    Write(output, item);
                }
                WriteRaw(output, "]"u8);
                break;
            case JsonValueKind.String:
                WriteString(output, ReadString(element));
                break;
            case JsonValueKind.Number:
                WriteNumber(output, element.GetRawText());
                break;
            case JsonValueKind.True:
                WriteRaw(output, "true"u8);
                break;
            case JsonValueKind.False:
                WriteRaw(output, "false"u8);
                break;
            case JsonValueKind.Null:
                WriteRaw(output, "null"u8);
                break;
            default:
                throw new ArgumentException($"A JSON value of kind {element.ValueKind} cannot be written.", nameof(element));
        }
    }

    /// <summary>A JSON string (quoted, escaped as described above), or <c>null</c>.</summary>
    public static void WriteString(IBufferWriter<byte> output, string? value)
    {
        if (value is null)
        {
            WriteRaw(output, "null"u8);
            return;
        }
        value = Text.Clean(value);
        WriteRaw(output, "\""u8);
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }
            WriteUtf8(output, value.AsSpan(start, i - start));
            WriteRaw(output, c switch
            {
                '"' => "\\\""u8,
                '\\' => "\\\\"u8,
                '\b' => "\\b"u8,
                '\f' => "\\f"u8,
                '\n' => "\\n"u8,
                '\r' => "\\r"u8,
                '\t' => "\\t"u8,
                _ => Encoding.ASCII.GetBytes($"\\u{(int)c:x4}"),
            });
            start = i + 1;
        }
        WriteUtf8(output, value.AsSpan(start));
        WriteRaw(output, "\""u8);
    }

    /// <summary>A number as its exact decimal value; see the class remarks.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, string raw)
    {
        if (Normalize(raw) is { } number)
        {
            WriteUtf8(output, number);
        }
        else
        {
            WriteString(output, raw);
        }
    }

    /// <summary>The normalized decimal text of a JSON number, or null when it would exceed <see cref="MaxNumberLength"/>.</summary>
    public static string? Normalize(string raw)
    {
        var span = raw.AsSpan();
        var negative = span.Length > 0 && span[0] == '-';
        if (negative)
        {
            span = span[1..];
        }
        var exponentAt = span.IndexOfAny('e', 'E');
        var mantissa = exponentAt < 0 ? span : span[..exponentAt];
        long exponent = 0;
        if (exponentAt >= 0
            && (!long.TryParse(span[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                || Math.Abs(exponent) > int.MaxValue))
        {
            return null;
        }
        var point = mantissa.IndexOf('.');
        var integral = point < 0 ? mantissa : mantissa[..point];
        var fraction = point < 0 ? [] : mantissa[(point + 1)..];

        var digits = string.Concat(integral, fraction).TrimStart('0');
        var scale = exponent - fraction.Length;
        var trimmed = digits.TrimEnd('0');
        scale += digits.Length - trimmed.Length;
        digits = trimmed;
        if (digits.Length == 0)
        {
            return "0";
        }
        if (Math.Abs(scale) > MaxNumberLength || digits.Length + Math.Abs(scale) > MaxNumberLength)
        {
            return null;
        }
        var sign = negative ? "-" : "";
        if (scale >= 0)
        {
            return sign + digits + new string('0', (int)scale);
        }
        var integerDigits = digits.Length + (int)scale;
        return integerDigits > 0
            ? sign + digits[..integerDigits] + "." + digits[integerDigits..]
            : sign + "0." + new string('0', -integerDigits) + digits;
    }

    private static void WriteObject(IBufferWriter<byte> output, JsonElement element)
    {
        // jsonb keeps the last of duplicate keys; so does this.
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            properties[Text.Clean(property.Name)] = property.Value;
        }
        var names = properties.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        WriteRaw(output, "{"u8);
        for (var i = 0; i < names.Length; i++)
        {
            if (i > 0)
            {
                WriteRaw(output, ","u8);
            }
            WriteString(output, names[i]);
            WriteRaw(output, ":"u8);
            Write(output, properties[names[i]]);
        }
        WriteRaw(output, "}"u8);
    }

    /// <summary>
    /// The string's value; one that escapes an unpaired surrogate (valid JSON, but no text) cannot be read as a string,
    /// and is kept as its escaped source text instead.
    /// </summary>
    private static string ReadString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var raw = element.GetRawText();
            return raw[1..^1];
        }
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }
        var span = output.GetSpan(Utf8.GetMaxByteCount(text.Length));
        output.Advance(Utf8.GetBytes(text, span));
    }

    private static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
