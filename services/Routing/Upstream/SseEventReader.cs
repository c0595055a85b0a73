using System.Buffers;
using System.IO.Pipelines;

namespace Synaxis.Routing.Upstream;

/// <summary>
/// Splits a <c>text/event-stream</c> body into events, as the WHATWG EventSource parser does: lines
/// end in LF, CRLF or CR; <c>event:</c> sets the type, <c>data:</c> lines join with LF; a blank line
/// dispatches (when some data came); <c>:</c> comments, <c>id:</c>, <c>retry:</c> and unknown fields
/// are ignored; one leading BOM is skipped; an event cut off by the end of the stream is dropped.
/// Events may be split anywhere across reads.
/// </summary>
/// <remarks>
/// Reads through a <see cref="PipeReader"/> (pooled segments); the current event's type and data
/// are copied into buffers rented from <see cref="ArrayPool{T}.Shared"/> and stay valid until the
/// next <see cref="ReadAsync"/>. Not thread-safe.
/// </remarks>
public sealed class SseEventReader : IAsyncDisposable, IDisposable
{
    /// <summary>The largest event (or line) accepted before <see cref="InvalidDataException"/>: 16 MiB.</summary>
    public const int DefaultMaxEventBytes = 16 * 1024 * 1024;

    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    private readonly PipeReader _reader;
    private readonly bool _ownsReader;
    private readonly int _maxEventBytes;
    private byte[] _eventType;
    private int _eventTypeLength;
    private byte[] _data;
    private int _dataLength;
    private int _dataLines;
    private bool _hasEvent;
    private bool _bomChecked;
    private bool _disposed;

    /// <summary>Reads <paramref name="stream"/>, which stays open: the caller owns it.</summary>
    public SseEventReader(Stream stream, int maxEventBytes = DefaultMaxEventBytes)
        : this(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), maxEventBytes, ownsReader: true)
    {
    }

    /// <summary>Reads <paramref name="reader"/>, which stays the caller's (not completed on dispose).</summary>
    public SseEventReader(PipeReader reader, int maxEventBytes = DefaultMaxEventBytes)
        : this(reader, maxEventBytes, ownsReader: false)
    {
    }

    private SseEventReader(PipeReader reader, int maxEventBytes, bool ownsReader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 16);
        _reader = reader;
        _ownsReader = ownsReader;
        _maxEventBytes = maxEventBytes;
        _eventType = ArrayPool<byte>.Shared.Rent(64);
        _data = ArrayPool<byte>.Shared.Rent(1024);
    }

    /// <summary>The current event's <c>event:</c> field; empty when it had none (EventSource would say <c>message</c>).</summary>
    public ReadOnlySpan<byte> EventType => _eventType.AsSpan(0, _eventTypeLength);

    /// <summary>The current event's <c>data:</c> lines, joined with LF.</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _dataLength);

    /// <summary>
    /// Moves to the next event: true when there is one (see <see cref="EventType"/> and
    /// <see cref="Data"/>), false at the end of the stream.
    /// </summary>
    /// <exception cref="InvalidDataException">An event or line is larger than the limit.</exception>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_hasEvent)
        {
            ResetEvent();
            _hasEvent = false;
        }
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The read was canceled.");
            }
            var buffer = result.Buffer;
            bool dispatched;
            SequencePosition consumed;
            try
            {
                dispatched = Parse(buffer, result.IsCompleted, out consumed);
            }
            catch
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            if (dispatched)
            {
                // Examined only up to here: the rest may hold whole events already.
                _reader.AdvanceTo(consumed);
                _hasEvent = true;
                return true;
            }
            _reader.AdvanceTo(consumed, buffer.End);
            if (result.IsCompleted)
            {
                // Lines of a last event with no blank line after it stay pending: never dispatched.
                return false;
            }
        }
    }

    /// <summary>Processes whole lines; true when a blank line dispatched an event.</summary>
    private bool Parse(in ReadOnlySequence<byte> buffer, bool isCompleted, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        consumed = buffer.Start;
        if (!_bomChecked)
        {
            if (buffer.Length < Bom.Length && !isCompleted && StartsWithBomPrefix(buffer))
            {
                return false;
            }
            if (reader.IsNext(Bom, advancePast: true))
            {
                consumed = reader.Position;
            }
            _bomChecked = true;
        }
        while (true)
        {
            if (!reader.TryReadToAny(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: false))
            {
                if (reader.Remaining > _maxEventBytes)
                {
                    throw new InvalidDataException($"An SSE line is longer than {_maxEventBytes} bytes.");
                }
                return false;
            }
            reader.TryRead(out var delimiter);
            if (delimiter == (byte)'\r')
            {
                if (reader.End)
                {
                    // CR last in the buffer: a CRLF may be split; wait to see the next byte.
                    if (!isCompleted)
                    {
                        return false;
                    }
                }
                else
                {
                    reader.IsNext((byte)'\n', advancePast: true);
                }
            }
            var dispatch = ProcessLine(line);
            consumed = reader.Position;
            if (dispatch)
            {
                return true;
            }
        }
    }

    private static bool StartsWithBomPrefix(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[3];
        var length = (int)Math.Min(buffer.Length, 3);
        buffer.Slice(0, length).CopyTo(head);
        return head[..length].SequenceEqual(Bom[..length]);
    }

    private bool ProcessLine(in ReadOnlySequence<byte> line)
    {
        if (line.IsEmpty)
        {
            if (_dataLines > 0)
            {
                return true;
            }
            ResetEvent();
            return false;
        }
        if (FirstByte(line) == (byte)':')
        {
            return false;
        }

        ReadOnlySequence<byte> field, value;
        var colon = line.PositionOf((byte)':');
        if (colon is null)
        {
            field = line;
            value = ReadOnlySequence<byte>.Empty;
        }
        else
        {
            field = line.Slice(0, colon.Value);
            value = line.Slice(line.GetPosition(1, colon.Value));
            if (!value.IsEmpty && FirstByte(value) == (byte)' ')
            {
                value = value.Slice(1);
            }
        }

        if (field.Length is not (4 or 5))
        {
            return false;
        }
        Span<byte> name = stackalloc byte[5];
        field.CopyTo(name);
        name = name[..(int)field.Length];
        if (name.SequenceEqual("data"u8))
        {
            var separator = _dataLines > 0 ? 1 : 0;
            var needed = _dataLength + separator + (int)Math.Min(value.Length, int.MaxValue);
            if (value.Length + _dataLength + separator > _maxEventBytes)
            {
                throw new InvalidDataException($"An SSE event is larger than {_maxEventBytes} bytes.");
            }
            Grow(ref _data, needed);
            if (separator == 1)
            {
                _data[_dataLength++] = (byte)'\n';
            }
            value.CopyTo(_data.AsSpan(_dataLength));
            _dataLength += (int)value.Length;
            _dataLines++;
        }
        else if (name.SequenceEqual("event"u8))
        {
            if (value.Length > _maxEventBytes)
            {
                throw new InvalidDataException($"An SSE event type is larger than {_maxEventBytes} bytes.");
            }
            Grow(ref _eventType, (int)value.Length);
            value.CopyTo(_eventType);
            _eventTypeLength = (int)value.Length;
        }
        return false;
    }

    /// <summary>The first byte of a non-empty sequence, whose first segment may be empty.</summary>
    private static byte FirstByte(in ReadOnlySequence<byte> sequence)
    {
        foreach (var segment in sequence)
        {
            if (!segment.IsEmpty)
            {
                return segment.Span[0];
            }
        }
        return 0;
    }

    private static void Grow(ref byte[] buffer, int needed)
    {
        if (needed <= buffer.Length)
        {
            return;
        }
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.CopyTo(grown, 0);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = grown;
    }

    private void ResetEvent()
    {
        _eventTypeLength = 0;
        _dataLength = 0;
        _dataLines = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_ownsReader)
        {
            _reader.Complete();
        }
        ReturnBuffers();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_ownsReader)
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
        ReturnBuffers();
    }

    private void ReturnBuffers()
    {
        ArrayPool<byte>.Shared.Return(_eventType);
        ArrayPool<byte>.Shared.Return(_data);
        _eventType = [];
        _data = [];
        _eventTypeLength = 0;
        _dataLength = 0;
    }
}
