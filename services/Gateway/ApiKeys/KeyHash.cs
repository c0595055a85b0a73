using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// SHA-256 of a full API key, held as four machine words: the in-process cache's key. A struct, so looking a
/// key up allocates nothing; its hash code is seeded per process, so nobody can aim entries at one bucket.
/// </summary>
internal readonly struct KeyHash : IEquatable<KeyHash>
{
    public const int Size = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    private KeyHash(ReadOnlySpan<byte> digest)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(digest);
        _a = words[0];
        _b = words[1];
        _c = words[2];
        _d = words[3];
    }

    /// <summary>Hashes a key that <see cref="ApiKeyFormat.TryParse(ReadOnlySpan{char}, out ReadOnlySpan{char})"/> accepted (so ASCII, fixed length).</summary>
    public static KeyHash Compute(ReadOnlySpan<char> key)
    {
        Span<byte> ascii = stackalloc byte[ApiKeyFormat.KeyLength];
        if (key.Length != ApiKeyFormat.KeyLength || Ascii.FromUtf16(key, ascii, out _) != System.Buffers.OperationStatus.Done)
        {
            throw new ArgumentException("Only a well-formed API key can be hashed.", nameof(key));
        }
        Span<byte> digest = stackalloc byte[Size];
        SHA256.HashData(ascii, digest);
        return new KeyHash(digest);
    }

    public static KeyHash FromBytes(ReadOnlySpan<byte> digest) =>
        digest.Length == Size ? new KeyHash(digest) : throw new ArgumentException($"A SHA-256 digest has {Size} bytes.", nameof(digest));

    public void CopyTo(Span<byte> destination)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(destination[..Size]);
        words[0] = _a;
        words[1] = _b;
        words[2] = _c;
        words[3] = _d;
    }

    /// <summary>Compares with a digest read from Redis without revealing, by timing, how much of it matched.</summary>
    public bool FixedTimeEquals(ReadOnlySpan<byte> digest)
    {
        Span<byte> mine = stackalloc byte[Size];
        CopyTo(mine);
        return CryptographicOperations.FixedTimeEquals(mine, digest);
    }

    /// <summary>Lower-case hex, as the keys contract stores it in Redis. Cold path only: it allocates.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public bool Equals(KeyHash other) => ((_a ^ other._a) | (_b ^ other._b) | (_c ^ other._c) | (_d ^ other._d)) == 0;

    public override bool Equals(object? obj) => obj is KeyHash other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public static bool operator ==(KeyHash left, KeyHash right) => left.Equals(right);

    public static bool operator !=(KeyHash left, KeyHash right) => !left.Equals(right);
}
