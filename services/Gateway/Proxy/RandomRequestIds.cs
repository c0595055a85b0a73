using System.Security.Cryptography;

namespace Synaxis.Gateway.Proxy;

/// <summary>
/// New request ids: 32 lowercase hex characters of cryptographically random bytes (as unguessable and as unique as a
/// random Guid, and saying nothing about the gateway's traffic, unlike a counter). The bytes are drawn from the
/// operating system in batches per thread: a random Guid per request costs a system call each, which on an idle
/// machine is a good part of a request's own time.
/// </summary>
internal static class RandomRequestIds
{
    private const int IdBytes = 16;
    private const int BatchBytes = 256 * IdBytes;

    [ThreadStatic]
    private static byte[]? t_batch;

    [ThreadStatic]
    private static int t_next;

    public static string Next()
    {
        var batch = t_batch ??= new byte[BatchBytes];
        var next = t_next;
        if (next == 0)
        {
            RandomNumberGenerator.Fill(batch);
        }
        t_next = (next + IdBytes) % BatchBytes;
        // Each id's bytes are used once: the batch is refilled before the first of them comes round again.
        return Convert.ToHexStringLower(batch.AsSpan(next, IdBytes));
    }
}
