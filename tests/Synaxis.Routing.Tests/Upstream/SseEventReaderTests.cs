using System.IO.Pipelines;
using System.Text;
using Synaxis.Routing.Upstream;
using Synaxis.Routing.Upstream.Anthropic;

namespace Synaxis.Routing.Tests.Upstream;

public sealed class SseEventReaderTests
{
    private const string AnthropicStream =
        "event: message_start\n" +
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\n" +
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: ping\n" +
        "data: {\"type\": \"ping\"}\n\n" +
        "event: content_block_delta\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"h\u00e9llo \\n world\"}}\n\n" +
        "event: message_stop\n" +
        "data: {\"type\":\"message_stop\"}\n\n";

    private static readonly (string Type, string Data)[] AnthropicEvents =
    [
        ("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}"),
        ("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
        ("ping", "{\"type\": \"ping\"}"),
        ("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"h\u00e9llo \\n world\"}}"),
        ("message_stop", "{\"type\":\"message_stop\"}"),
    ];

    /// <summary>Every rule of the EventSource parser the reader follows, with LF line ends. The BOM stands before a field, so an unstripped BOM would lose the first event's type.</summary>
    private const string SpecStream =
        "\uFEFF" +
        "event: message_start\n" +
        ": a comment\n" +
        "retry: 1000\n" +
        "id: 7\n" +
        "data: {\"a\":1}\n" +
        "\n" +
        "data:no-space\n" +
        "data:  two-spaces\n" +
        "data\n" +
        "data: last\n" +
        "\n" +
        "event: lonely\n" +
        "\n" +
        "data: after-lonely\n" +
        "\n" +
        "event: first\n" +
        "event: second\n" +
        "data: x\n" +
        "\n" +
        "data: unknown field below\n" +
        "foo: bar\n" +
        "dataX: not data\n" +
        "\n" +
        ":\n" +
        "data:\n" +
        "\n" +
        "event: cut\n" +
        "data: never dispatched";

    private static readonly (string Type, string Data)[] SpecEvents =
    [
        ("message_start", "{\"a\":1}"),
        ("", "no-space\n two-spaces\n\nlast"),
        ("", "after-lonely"),
        ("second", "x"),
        ("", "unknown field below"),
        ("", ""),
    ];

    public static TheoryData<string> LineEnds => ["\n", "\r\n", "\r"];

    /// <summary>A read that should complete at once fails the test instead of hanging it.</summary>
    private static CancellationToken Soon() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static byte[] Bytes(string text, string lineEnd = "\n") =>
        Encoding.UTF8.GetBytes(text.Replace("\n", lineEnd, StringComparison.Ordinal));

    private static async Task<List<(string Type, string Data)>> ReadAll(SseEventReader reader)
    {
        var events = new List<(string, string)>();
        while (await reader.ReadAsync(Soon()))
        {
            events.Add((Encoding.UTF8.GetString(reader.EventType), Encoding.UTF8.GetString(reader.Data)));
        }
        return events;
    }

    private static async Task<List<(string Type, string Data)>> ReadAll(byte[] bytes, params int[] cuts)
    {
        await using var reader = new SseEventReader(new ChunkedStream(bytes, cuts));
        return await ReadAll(reader);
    }

    [Fact]
    public async Task An_anthropic_stream_reads_as_its_events()
    {
        Assert.Equal(AnthropicEvents, await ReadAll(Bytes(AnthropicStream)));
    }

    [Theory]
    [MemberData(nameof(LineEnds))]
    public async Task The_eventsource_rules_hold_for_every_line_end(string lineEnd)
    {
        Assert.Equal(SpecEvents, await ReadAll(Bytes(SpecStream, lineEnd)));
    }

    [Theory]
    [MemberData(nameof(LineEnds))]
    public async Task An_anthropic_stream_split_in_two_at_every_byte_offset_reads_the_same(string lineEnd)
    {
        var bytes = Bytes(AnthropicStream, lineEnd);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var events = await ReadAll(bytes, cut);
            Assert.True(AnthropicEvents.SequenceEqual(events), $"Split at byte {cut} of {bytes.Length} read: {string.Join(" | ", events)}");
        }
    }

    [Theory]
    [MemberData(nameof(LineEnds))]
    public async Task The_spec_stream_split_in_two_at_every_byte_offset_reads_the_same(string lineEnd)
    {
        var bytes = Bytes(SpecStream, lineEnd);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var events = await ReadAll(bytes, cut);
            Assert.True(SpecEvents.SequenceEqual(events), $"Split at byte {cut} of {bytes.Length} read: {string.Join(" | ", events)}");
        }
    }

    [Theory]
    [MemberData(nameof(LineEnds))]
    public async Task One_byte_per_read_reads_the_same(string lineEnd)
    {
        var spec = Bytes(SpecStream, lineEnd);
        Assert.Equal(SpecEvents, await ReadAll(spec, Enumerable.Range(1, spec.Length).ToArray()));
        var anthropic = Bytes(AnthropicStream, lineEnd);
        Assert.Equal(AnthropicEvents, await ReadAll(anthropic, Enumerable.Range(1, anthropic.Length).ToArray()));
    }

    [Fact]
    public async Task Every_pair_of_split_points_reads_the_same()
    {
        var bytes = Bytes("event: a\r\ndata: 1\r\ndata: 2\r\n\r\n: c\rdata: é\n\nevent: b\ndata: 3\r\r");
        (string, string)[] expected = [("a", "1\n2"), ("", "é"), ("b", "3")];
        for (var i = 0; i <= bytes.Length; i++)
        {
            for (var j = i; j <= bytes.Length; j++)
            {
                var events = await ReadAll(bytes, i, j);
                Assert.True(expected.SequenceEqual(events), $"Split at {i} and {j}: {string.Join(" | ", events)}");
            }
        }
    }

    [Fact]
    public async Task Random_splits_of_a_mixed_line_end_stream_read_the_same()
    {
        var mixed = new StringBuilder();
        var ends = new[] { "\n", "\r\n", "\r" };
        var line = 0;
        foreach (var part in AnthropicStream.Split('\n'))
        {
            mixed.Append(part).Append(ends[line++ % 3]);
        }
        var bytes = Encoding.UTF8.GetBytes(mixed.ToString());
        var random = new Random(20261130);
        for (var run = 0; run < 300; run++)
        {
            var cuts = Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(0, bytes.Length + 1)).Order().ToArray();
            var events = await ReadAll(bytes, cuts);
            Assert.True(AnthropicEvents.SequenceEqual(events), $"Cuts {string.Join(",", cuts)}: {string.Join(" | ", events)}");
        }
    }

    [Theory]
    [MemberData(nameof(LineEnds))]
    public async Task A_buffer_of_one_byte_segments_with_empty_segments_between_reads_the_same(string lineEnd)
    {
        foreach (var (text, expected) in new[] { (SpecStream, SpecEvents), (AnthropicStream, AnthropicEvents) })
        {
            await using var reader = new SseEventReader(PipeReader.Create(Segmented(Bytes(text, lineEnd))));
            Assert.Equal(expected, await ReadAll(reader));
        }
    }

    [Fact]
    public async Task A_large_event_across_many_reads_arrives_whole()
    {
        var payload = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));
        var bytes = Bytes($"event: big\ndata: {payload}\ndata: {payload}\n\nevent: small\ndata: s\n\n");
        var cuts = Enumerable.Range(1, bytes.Length / 997).Select(i => i * 997).ToArray();
        var events = await ReadAll(bytes, cuts);
        Assert.Equal([("big", payload + "\n" + payload), ("small", "s")], events);
    }

    [Fact]
    public async Task An_event_larger_than_the_limit_is_refused()
    {
        var bytes = Bytes("data: " + new string('x', 100) + "\ndata: " + new string('y', 100) + "\n\n");
        await using var reader = new SseEventReader(new ChunkedStream(bytes), maxEventBytes: 150);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(Soon()));
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_is_refused_before_its_end_arrives()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("data: " + new string('x', 500)));
        await using var reader = new SseEventReader(pipe.Reader, maxEventBytes: 100);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(Soon()));
    }

    [Fact]
    public async Task Events_written_to_a_pipe_piece_by_piece_are_read_as_they_complete()
    {
        var pipe = new Pipe();
        await using var reader = new SseEventReader(pipe.Reader);

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("event: one\ndata: 1\n\nevent: two\nda"));
        Assert.True(await reader.ReadAsync(Soon()));
        Assert.Equal("one", Encoding.UTF8.GetString(reader.EventType));
        Assert.Equal("1", Encoding.UTF8.GetString(reader.Data));

        var pending = reader.ReadAsync(Soon());
        Assert.False(pending.IsCompleted);
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("ta: 2\r"));
        await Task.Delay(20);
        Assert.False(pending.IsCompleted);
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("\n\r\n"));
        Assert.True(await pending);
        Assert.Equal("two", Encoding.UTF8.GetString(reader.EventType));
        Assert.Equal("2", Encoding.UTF8.GetString(reader.Data));

        await pipe.Writer.CompleteAsync();
        Assert.False(await reader.ReadAsync(Soon()));
        Assert.False(await reader.ReadAsync(Soon()));
    }

    [Fact]
    public async Task Several_events_in_one_read_are_all_returned_before_reading_again()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("data: a\n\ndata: b\n\ndata: c\n\n"));
        await using var reader = new SseEventReader(pipe.Reader);
        foreach (var expected in new[] { "a", "b", "c" })
        {
            var read = reader.ReadAsync(Soon());
            Assert.True(read.IsCompleted, "An event already buffered must not wait for more bytes.");
            Assert.True(await read);
            Assert.Equal(expected, Encoding.UTF8.GetString(reader.Data));
        }
    }

    [Fact]
    public async Task A_cancelled_read_throws()
    {
        var pipe = new Pipe();
        await using var reader = new SseEventReader(pipe.Reader);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadAsync(cts.Token));
    }

    [Fact]
    public async Task The_stream_stays_open_and_a_given_pipe_reader_is_not_completed()
    {
        var stream = new MemoryStream(Bytes("data: a\n\n"));
        await using (var reader = new SseEventReader(stream))
        {
            Assert.True(await reader.ReadAsync(Soon()));
        }
        Assert.True(stream.CanRead);

        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Bytes("data: a\n\ndata: b\n\n"));
        await using (var first = new SseEventReader(pipe.Reader))
        {
            Assert.True(await first.ReadAsync(Soon()));
            Assert.Equal("a", Encoding.UTF8.GetString(first.Data));
        }
        await using var second = new SseEventReader(pipe.Reader);
        Assert.True(await second.ReadAsync(Soon()));
        Assert.Equal("b", Encoding.UTF8.GetString(second.Data));
    }

    [Fact]
    public async Task Reading_after_dispose_throws()
    {
        var reader = new SseEventReader(new MemoryStream(Bytes("data: a\n\n")));
        reader.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reader.ReadAsync(Soon()));
    }

    [Fact]
    public async Task An_empty_stream_has_no_events()
    {
        Assert.Empty(await ReadAll([]));
        Assert.Empty(await ReadAll(Bytes("\uFEFF")));
        Assert.Empty(await ReadAll(Bytes("\n\n\n")));
    }

    [Fact]
    public async Task The_reader_feeds_the_stream_translator_end_to_end()
    {
        var sse = Bytes(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_9\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \\\"you\\\"\"}}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":4}}\n\n" +
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", "\r\n");
        var translator = new AnthropicStreamTranslator("client-model", 1, includeUsage: false);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        await using (var reader = new SseEventReader(new ChunkedStream(sse, Enumerable.Range(1, sse.Length / 7).Select(i => i * 7).ToArray())))
        {
            while (await reader.ReadAsync(Soon()))
            {
                translator.Translate(reader.EventType, reader.Data, output);
            }
        }
        translator.Complete(output);
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("\"delta\":{\"content\":\"Hi \\\"you\\\"\"}", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        Assert.True(translator.Completed);
        Assert.Equal(new AnthropicUsage(3, 4), translator.Usage);
    }

    /// <summary>Each byte in a segment of its own, with an empty segment after every one.</summary>
    private static System.Buffers.ReadOnlySequence<byte> Segmented(byte[] data)
    {
        if (data.Length == 0)
        {
            return System.Buffers.ReadOnlySequence<byte>.Empty;
        }
        var first = new Segment(data.AsMemory(0, 1), 0);
        var last = first.Append(Memory<byte>.Empty);
        for (var i = 1; i < data.Length; i++)
        {
            last = last.Append(data.AsMemory(i, 1)).Append(Memory<byte>.Empty);
        }
        return new System.Buffers.ReadOnlySequence<byte>(first, 0, last, 0);
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>A read-only stream whose reads stop at the given byte offsets, as network reads would.</summary>
    private sealed class ChunkedStream(byte[] data, params int[] cuts) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer)
        {
            if (_position >= data.Length || buffer.IsEmpty)
            {
                return 0;
            }
            var end = data.Length;
            foreach (var cut in cuts)
            {
                if (cut > _position && cut < end)
                {
                    end = cut;
                }
            }
            var count = Math.Min(buffer.Length, end - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
