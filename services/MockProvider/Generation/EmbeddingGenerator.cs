using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Synaxis.MockProvider.Generation;

/// <summary>
/// Deterministic unit vectors: SHA-256 of the UTF-8 text seeds a xoshiro256** generator whose uniform
/// draws in [-1, 1) fill the vector, which is then normalized. The seed depends only on the text, so the
/// first <c>d</c> components are the same for every dimension count before normalization: asking for
/// fewer dimensions truncates and renormalizes, as OpenAI's text-embedding-3 models do.
/// </summary>
public static class EmbeddingGenerator
{
    private const int StackallocLimit = 1024;

    public static void Fill(string text, Span<float> vector)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        HashUtf8(text, digest);

        var random = new Xoshiro256StarStar(MemoryMarshal.Cast<byte, ulong>(digest));
        double sumOfSquares = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            var component = random.NextSignedUnit();
            vector[i] = component;
            sumOfSquares += (double)component * component;
        }

        var scale = (float)(1.0 / Math.Sqrt(sumOfSquares));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }

    /// <summary>
    /// OpenAI's <c>encoding_format: base64</c>: the little-endian float32 bytes, base64-encoded. Every
    /// platform .NET runs this service on is little-endian, so the in-memory bytes are the wire bytes.
    /// </summary>
    public static string ToBase64(ReadOnlySpan<float> vector) =>
        Convert.ToBase64String(MemoryMarshal.AsBytes(vector));

    private static void HashUtf8(string text, Span<byte> digest)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> buffer = maxBytes <= StackallocLimit
            ? stackalloc byte[StackallocLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            SHA256.HashData(buffer[..length], digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>xoshiro256** (Blackman and Vigna): fast, good quality, and fully determined by its seed.</summary>
    private ref struct Xoshiro256StarStar(ReadOnlySpan<ulong> seed)
    {
        private ulong _s0 = seed[0] | 1;
        private ulong _s1 = seed[1];
        private ulong _s2 = seed[2];
        private ulong _s3 = seed[3];

        public float NextSignedUnit() =>
            // The top 24 bits give every float in [0, 1) the same chance; shift to [-1, 1).
            (Next() >> 40) * (2f / (1 << 24)) - 1f;

        private ulong Next()
        {
            var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
            var t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = ulong.RotateLeft(_s3, 45);
            return result;
        }
    }
}
