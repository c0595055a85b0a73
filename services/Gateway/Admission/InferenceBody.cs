using System.Buffers;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// An inference request's body, read once into a pooled buffer: admission parses it, then it replaces the request
/// stream so YARP forwards the same bytes. The buffer returns to the pool when the response is done.
/// </summary>
internal sealed class InferenceBody : IDisposable
{
    private byte[]? _buffer;

    private InferenceBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>Reads the whole body; null when it is larger than <paramref name="maxBytes"/> (nothing is kept then).</summary>
    public static async Task<InferenceBody?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }
        var initial = (int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1, maxBytes + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
            if (length > maxBytes)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }
            return new InferenceBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Makes the buffered bytes the request's body (with an exact Content-Length) for the proxy to forward.</summary>
    public void ReplaceRequestBody(HttpContext context)
    {
        context.Request.Body = new MemoryStream(_buffer!, 0, Length, writable: false);
        context.Request.ContentLength = Length;
        context.Response.RegisterForDispose(this);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
