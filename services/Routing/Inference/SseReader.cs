using System.Buffers;
using System.IO.Pipelines;

namespace Synaxis.Routing.Inference;

/// <summary>
/// Splits an upstream's server-sent events into events as they arrive (an event ends at a blank line), from a pooled
/// pipe: nothing waits for the whole stream. An event's bytes stay valid until the next <see cref="ReadEventAsync"/>.
/// </summary>
internal sealed class SseReader(Stream stream)
{
    private readonly PipeReader _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
    private ReadOnlySequence<byte> _buffer;
    private bool _holding;
    private bool _completed;

    /// <summary>The next event's raw bytes (its lines, up to and including the blank line); null at the end.</summary>
    public async ValueTask<ReadOnlySequence<byte>?> ReadEventAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_holding)
            {
                if (TryReadEvent(ref _buffer, out var held))
                {
                    return held;
                }
                if (_completed)
                {
                    if (_buffer.IsEmpty)
                    {
                        return null;
                    }
                    var last = _buffer; // a last event without its blank line
                    _buffer = _buffer.Slice(_buffer.End);
                    return last;
                }
                // Everything returned so far is consumed; what is left is examined: wait for more.
                _reader.AdvanceTo(_buffer.Start, _buffer.End);
                _holding = false;
            }
            var result = await _reader.ReadAsync(cancellationToken);
            _buffer = result.Buffer;
            _completed = result.IsCompleted;
            _holding = true;
        }
    }

    public ValueTask CompleteAsync()
    {
        if (_holding)
        {
            _reader.AdvanceTo(_buffer.End);
            _holding = false;
        }
        return _reader.CompleteAsync();
    }

    private static bool TryReadEvent(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> @event)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryAdvanceTo((byte)'\n'))
        {
            // "\n\n" or "\n\r\n" ends the event.
            if (reader.IsNext((byte)'\n', advancePast: true) || reader.IsNext("\r\n"u8, advancePast: true))
            {
                @event = buffer.Slice(0, reader.Position);
                buffer = buffer.Slice(reader.Position);
                return true;
            }
        }
        @event = default;
        return false;
    }
}
