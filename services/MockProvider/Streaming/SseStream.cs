using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Synaxis.MockProvider.Faults;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Streaming;

/// <summary>
/// Writes server-sent events the way OpenAI does: each event is <c>data: {json}\n\n</c>, flushed on its
/// own so the client sees it at once, and the stream ends with <c>data: [DONE]\n\n</c>. JSON is
/// serialized straight into the response pipe. It also applies the request's chunk pacing and
/// cut-stream fault.
/// </summary>
public sealed class SseStream : IDisposable
{
    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;
    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;
    private static ReadOnlySpan<byte> DoneEvent => "data: [DONE]\n\n"u8;

    /// <summary>
    /// How long a cut waits before dropping the connection. Kestrel's abort discards output its socket
    /// loop has not sent yet, so cutting right after a flush would lose the chunks that were "sent".
    /// </summary>
    public static readonly TimeSpan CutGrace = TimeSpan.FromMilliseconds(100);

    private readonly HttpContext _context;
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly FaultPlan _plan;
    private int _eventsSent;

    private SseStream(HttpContext context)
    {
        _context = context;
        _pipe = context.Response.BodyWriter;
        _json = new Utf8JsonWriter(_pipe, new JsonWriterOptions { Encoder = MockJson.Encoder });
        _plan = FaultPlan.For(context);
    }

    public static SseStream Start(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new SseStream(context);
    }

    /// <summary>False when the stream must end here: it was cut, or the client is gone.</summary>
    public async ValueTask<bool> WriteAsync<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        if (_plan.Fault == FaultKind.CutStream && _eventsSent >= _plan.CutAfterChunks)
        {
            await CutAsync();
            return false;
        }

        await PaceAsync();
        WriteEvent(value, typeInfo);
        _eventsSent++;
        var flush = await _pipe.FlushAsync(_context.RequestAborted);
        return !flush.IsCompleted && !flush.IsCanceled;
    }

    /// <summary>Ends with <c>[DONE]</c>, or, under a cut-stream fault, aborts instead so it never arrives.</summary>
    public async ValueTask CompleteAsync()
    {
        if (_plan.Fault == FaultKind.CutStream)
        {
            await CutAsync();
            return;
        }

        await PaceAsync();
        _pipe.Write(DoneEvent);
        await _pipe.FlushAsync(_context.RequestAborted);
    }

    public void Dispose() => _json.Dispose();

    private async Task CutAsync()
    {
        await Task.Delay(CutGrace, _context.RequestAborted);
        _context.Abort();
    }

    private Task PaceAsync() =>
        _eventsSent > 0 && _plan.ChunkDelayMs > 0
            ? Task.Delay(_plan.ChunkDelayMs, _context.RequestAborted)
            : Task.CompletedTask;

    private void WriteEvent<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        _pipe.Write(DataPrefix);
        _json.Reset(_pipe);
        JsonSerializer.Serialize(_json, value, typeInfo);
        _pipe.Write(EventEnd);
    }
}
