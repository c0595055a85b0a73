using System.Buffers;

namespace Synaxis.ServiceKit.Keys;

/// <summary>
/// Fixed-width Base62 (<c>0-9A-Za-z</c>, most significant digit first) of 32-byte values, as API keys use it.
/// The alphabet is in ordinal order, so for two encodings of the same width ordinal comparison is numeric
/// comparison; that is what lets <see cref="ApiKeyFormat.TryParse(ReadOnlySpan{char}, out ReadOnlySpan{char})"/>
/// reject out-of-range parts without decoding them.
/// </summary>
public static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Bytes in every value this format carries (256 bits).</summary>
    public const int ByteLength = 32;

    /// <summary>Characters needed for any 32-byte value: 62^43 &gt; 2^256 &gt; 62^42. Shorter encodings are left-padded with '0'.</summary>
    public const int EncodedLength = 43;

    /// <summary>The encoding of 2^256 - 1: a 43-character string above it is not a 32-byte value.</summary>
    public static readonly string MaxEncoded = Encode(Enumerable.Repeat((byte)0xFF, ByteLength).ToArray());

    /// <summary>Encodes a 32-byte big-endian value into exactly <see cref="EncodedLength"/> characters.</summary>
    public static string Encode(ReadOnlySpan<byte> value)
    {
        if (value.Length != ByteLength)
        {
            throw new ArgumentException($"Base62 here encodes exactly {ByteLength} bytes; got {value.Length}.", nameof(value));
        }
        return string.Create(EncodedLength, value.ToArray(), static (chars, bytes) =>
        {
            // Schoolbook long division by 62, most significant byte first; 43 rounds over 32 bytes.
            for (var position = chars.Length - 1; position >= 0; position--)
            {
                var remainder = 0;
                for (var i = 0; i < bytes.Length; i++)
                {
                    var accumulator = (remainder << 8) | bytes[i];
                    bytes[i] = (byte)(accumulator / 62);
                    remainder = accumulator % 62;
                }
                chars[position] = Alphabet[remainder];
            }
        });
    }

    /// <summary>
    /// Decodes exactly <see cref="EncodedLength"/> characters into 32 bytes; <see langword="false"/> for any other
    /// length, a character outside the alphabet, or a value above 2^256 - 1. Allocation-free.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> encoded, Span<byte> destination)
    {
        if (encoded.Length != EncodedLength || destination.Length < ByteLength || !IsCanonical(encoded))
        {
            return false;
        }
        var value = destination[..ByteLength];
        value.Clear();
        foreach (var c in encoded)
        {
            var carry = DigitOf(c);
            for (var i = ByteLength - 1; i >= 0; i--)
            {
                var accumulator = value[i] * 62 + carry;
                value[i] = (byte)accumulator;
                carry = accumulator >> 8;
            }
        }
        return true;
    }

    /// <summary>Exactly <see cref="EncodedLength"/> alphabet characters, not above <see cref="MaxEncoded"/>.</summary>
    public static bool IsCanonical(ReadOnlySpan<char> encoded) =>
        encoded.Length == EncodedLength
        && !encoded.ContainsAnyExcept(AlphabetValues)
        && encoded.SequenceCompareTo(MaxEncoded) <= 0;

    private static readonly SearchValues<char> AlphabetValues = SearchValues.Create(Alphabet);

    private static int DigitOf(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => c - 'a' + 36,
    };
}
