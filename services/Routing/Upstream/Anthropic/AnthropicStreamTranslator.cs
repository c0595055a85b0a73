using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>
/// Turns one Anthropic Messages stream into OpenAI <c>chat.completion.chunk</c> SSE events, one
/// Anthropic event at a time. Stateful: one instance per response, not thread-safe.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>message_start</c> → a chunk with <c>role: assistant</c>; <c>text_delta</c> → content;
/// a <c>tool_use</c> block → a tool call (id, name, then <c>input_json_delta</c> fragments as
/// <c>arguments</c>), numbered in the order the tool calls come; <c>message_delta</c> → a chunk with
/// <c>finish_reason</c>; <c>message_stop</c> → the usage chunk (when asked for) and <c>[DONE]</c>.</item>
/// <item><c>error</c> → <c>data: {"error": {…}}</c> and no <c>[DONE]</c>; <see cref="Failed"/> is set.
/// A malformed event fails the stream the same way.</item>
/// <item><c>ping</c>, thinking blocks and event types newer than this code → nothing.</item>
/// </list>
/// Strings are copied from Anthropic's JSON to the output as they were escaped, with no DOM and no
/// string per token.
/// </remarks>
public sealed class AnthropicStreamTranslator
{
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ObjectName = JsonEncodedText.Encode("object");
    private static readonly JsonEncodedText ChunkObject = JsonEncodedText.Encode("chat.completion.chunk");
    private static readonly JsonEncodedText CreatedName = JsonEncodedText.Encode("created");
    private static readonly JsonEncodedText ModelName = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText FinishReasonName = JsonEncodedText.Encode("finish_reason");

    private readonly JsonEncodedText _model;
    private readonly long _created;
    private readonly bool _includeUsage;
    private Utf8JsonWriter? _writer;
    private JsonEncodedText _id;
    private bool _started;
    private bool _finishSent;
    private int _toolCalls;
    private int[] _blockToolIndex = [];
    private AnthropicJson.UsageCounts _usage;

    /// <param name="clientModel">The model name the client asked for, written in every chunk.</param>
    /// <param name="createdUnixSeconds">The <c>created</c> of every chunk.</param>
    /// <param name="includeUsage">The client's <c>stream_options.include_usage</c>: a last chunk with empty choices and the usage, and <c>"usage": null</c> in the others.</param>
    public AnthropicStreamTranslator(string clientModel, long createdUnixSeconds, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(clientModel);
        _model = JsonEncodedText.Encode(clientModel, AnthropicJson.WriterOptions.Encoder);
        _created = createdUnixSeconds;
        _includeUsage = includeUsage;
    }

    /// <summary>The usage as last reported: input from <c>message_start</c>, output from <c>message_delta</c>. Known whatever <c>includeUsage</c> says.</summary>
    public AnthropicUsage Usage => _usage.ToUsage();

    /// <summary><c>message_stop</c> came: the finish, usage and <c>[DONE]</c> are written.</summary>
    public bool Completed { get; private set; }

    /// <summary>An error was written instead of <c>[DONE]</c>: the upstream sent an <c>error</c> event, a malformed event, or ended early (<see cref="Complete"/>).</summary>
    public bool Failed { get; private set; }

    /// <summary>What the error said, when <see cref="Failed"/>.</summary>
    public string? FailureMessage { get; private set; }

    /// <summary>The OpenAI type of the error written, when <see cref="Failed"/>.</summary>
    public string? FailureType { get; private set; }

    /// <summary>The OpenAI <c>finish_reason</c> sent, once sent.</summary>
    public string? FinishReason { get; private set; }

    /// <summary>
    /// Translates one Anthropic SSE event into zero or more OpenAI SSE events, written to
    /// <paramref name="output"/>. <paramref name="eventName"/> is the SSE <c>event:</c> field; when empty,
    /// the <c>type</c> inside <paramref name="data"/> decides. After <see cref="Completed"/> or
    /// <see cref="Failed"/>, events are ignored.
    /// </summary>
    public void Translate(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Completed || Failed)
        {
            return;
        }
        try
        {
            var type = eventName.IsEmpty ? TypeOf(data) : eventName;
            if (type.SequenceEqual("content_block_delta"u8))
            {
                OnContentBlockDelta(data, output);
            }
            else if (type.SequenceEqual("content_block_start"u8))
            {
                OnContentBlockStart(data, output);
            }
            else if (type.SequenceEqual("message_start"u8))
            {
                OnMessageStart(data, output);
            }
            else if (type.SequenceEqual("message_delta"u8))
            {
                OnMessageDelta(data, output);
            }
            else if (type.SequenceEqual("message_stop"u8))
            {
                OnMessageStop(output);
            }
            else if (type.SequenceEqual("error"u8))
            {
                OnError(data, output);
            }
            // ping, content_block_stop and event types added after this code: nothing to say.
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            WriteError(output, "The upstream provider sent a malformed stream event.", "server_error", null);
        }
    }

    /// <summary>As <see cref="Translate(ReadOnlySpan{byte}, ReadOnlySpan{byte}, IBufferWriter{byte})"/>, into a new array (empty when nothing).</summary>
    public byte[] Translate(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data)
    {
        var output = new ArrayBufferWriter<byte>(256);
        Translate(eventName, data, output);
        return output.WrittenCount == 0 ? [] : output.WrittenSpan.ToArray();
    }

    /// <summary>As <see cref="Translate(ReadOnlySpan{byte}, ReadOnlySpan{byte}, IBufferWriter{byte})"/> with string arguments, for callers that have them.</summary>
    public byte[] Translate(string? eventName, string data) =>
        Translate(Encoding.UTF8.GetBytes(eventName ?? ""), Encoding.UTF8.GetBytes(data));

    /// <summary>
    /// The upstream stream ended. If it ended before <c>message_stop</c> (and no error was written),
    /// writes an error event so the client does not take a cut answer for a whole one.
    /// </summary>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!Completed && !Failed)
        {
            WriteError(output, "The upstream provider ended the stream before the response was complete.", "server_error", null);
        }
    }

    private static ReadOnlySpan<byte> TypeOf(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A stream event must be a JSON object.");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped ? reader.ValueSpan : [];
            }
            reader.Read();
            reader.Skip();
        }
        return [];
    }

    private void OnMessageStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        string? id = null;
        var reader = Open(data);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject);
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("id"u8))
                    {
                        reader.Read();
                        id = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("usage"u8))
                    {
                        reader.Read();
                        AnthropicJson.ReadUsage(ref reader, ref _usage);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }
        if (_started)
        {
            return;
        }
        _id = JsonEncodedText.Encode("chatcmpl-" + id, AnthropicJson.WriterOptions.Encoder);
        _started = true;

        var writer = BeginChoiceChunk(output);
        writer.WriteString("role"u8, "assistant"u8);
        writer.WriteString("content"u8, ""u8);
        EndChoiceChunk(writer, output, finishReason: null);
    }

    private void OnContentBlockStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var index = -1;
        ReadOnlySpan<byte> blockType = default, id = default, name = default, text = default;
        var reader = Open(data);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("content_block"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject);
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        reader.Read();
                        blockType = AnthropicJson.RawString(ref reader, data);
                    }
                    else if (reader.ValueTextEquals("id"u8))
                    {
                        reader.Read();
                        id = AnthropicJson.RawString(ref reader, data);
                    }
                    else if (reader.ValueTextEquals("name"u8))
                    {
                        reader.Read();
                        name = AnthropicJson.RawString(ref reader, data);
                    }
                    else if (reader.ValueTextEquals("text"u8))
                    {
                        reader.Read();
                        text = AnthropicJson.RawString(ref reader, data);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }
        if (index < 0)
        {
            throw new JsonException("content_block_start has no index.");
        }
        RequireStarted();

        if (blockType.SequenceEqual("\"tool_use\""u8))
        {
            if (id.IsEmpty || name.IsEmpty)
            {
                throw new JsonException("A tool_use block has no id or name.");
            }
            var toolIndex = _toolCalls++;
            SetToolIndex(index, toolIndex);
            var writer = BeginChoiceChunk(output);
            writer.WriteStartArray("tool_calls"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, toolIndex);
            writer.WritePropertyName("id"u8);
            writer.WriteRawValue(id, skipInputValidation: true);
            writer.WriteString("type"u8, "function"u8);
            writer.WriteStartObject("function"u8);
            writer.WritePropertyName("name"u8);
            writer.WriteRawValue(name, skipInputValidation: true);
            writer.WriteString("arguments"u8, ""u8);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            EndChoiceChunk(writer, output, finishReason: null);
        }
        else
        {
            SetToolIndex(index, -1);
            if (blockType.SequenceEqual("\"text\""u8) && !text.IsEmpty && !AnthropicJson.IsEmptyRawString(text))
            {
                WriteContentChunk(output, text);
            }
        }
    }

    private void OnContentBlockDelta(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var index = -1;
        ReadOnlySpan<byte> deltaType = default, text = default, partialJson = default;
        var reader = Open(data);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject);
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        reader.Read();
                        deltaType = AnthropicJson.RawString(ref reader, data);
                    }
                    else if (reader.ValueTextEquals("text"u8))
                    {
                        reader.Read();
                        text = AnthropicJson.RawString(ref reader, data);
                    }
                    else if (reader.ValueTextEquals("partial_json"u8))
                    {
                        reader.Read();
                        partialJson = AnthropicJson.RawString(ref reader, data);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }
        RequireStarted();

        if (deltaType.SequenceEqual("\"text_delta\""u8))
        {
            if (!text.IsEmpty && !AnthropicJson.IsEmptyRawString(text))
            {
                WriteContentChunk(output, text);
            }
        }
        else if (deltaType.SequenceEqual("\"input_json_delta\""u8))
        {
            var toolIndex = index >= 0 && index < _blockToolIndex.Length ? _blockToolIndex[index] : -1;
            if (toolIndex < 0)
            {
                throw new JsonException("input_json_delta for a block that is not a tool_use.");
            }
            if (partialJson.IsEmpty || AnthropicJson.IsEmptyRawString(partialJson))
            {
                return;
            }
            var writer = BeginChoiceChunk(output);
            writer.WriteStartArray("tool_calls"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, toolIndex);
            writer.WriteStartObject("function"u8);
            writer.WritePropertyName("arguments"u8);
            writer.WriteRawValue(partialJson, skipInputValidation: true);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            EndChoiceChunk(writer, output, finishReason: null);
        }
        // thinking_delta, signature_delta, citations_delta: no Chat Completions counterpart.
    }

    private void OnMessageDelta(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        string? finishReason = null;
        var reader = Open(data);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject);
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("stop_reason"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            finishReason = AnthropicJson.MapStopReason(ref reader);
                        }
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                AnthropicJson.ReadUsage(ref reader, ref _usage);
            }
            else
            {
                SkipValue(ref reader);
            }
        }
        RequireStarted();
        if (finishReason is not null)
        {
            WriteFinish(output, finishReason);
        }
    }

    private void OnMessageStop(IBufferWriter<byte> output)
    {
        RequireStarted();
        WriteFinish(output, AnthropicJson.FinishStop);
        if (_includeUsage)
        {
            var writer = BeginChunk(output);
            writer.WriteStartArray("choices"u8);
            writer.WriteEndArray();
            AnthropicResponseTranslator.WriteUsage(writer, Usage);
            EndChunk(writer, output);
        }
        output.Write("data: [DONE]\n\n"u8);
        Completed = true;
    }

    private void OnError(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        string? anthropicType = null;
        string? message = null;
        var reader = Open(data);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject);
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        reader.Read();
                        anthropicType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else if (reader.ValueTextEquals("message"u8))
                    {
                        reader.Read();
                        message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }
        var mapped = AnthropicErrorTranslator.Map(anthropicType, statusCode: 200);
        WriteError(output, string.IsNullOrEmpty(message) ? "The upstream provider reported an error." : message, mapped.Type, mapped.Code);
    }

    private void WriteFinish(IBufferWriter<byte> output, string finishReason)
    {
        if (_finishSent)
        {
            return;
        }
        _finishSent = true;
        FinishReason = finishReason;
        var writer = BeginChoiceChunk(output);
        EndChoiceChunk(writer, output, finishReason);
    }

    private void WriteContentChunk(IBufferWriter<byte> output, ReadOnlySpan<byte> rawText)
    {
        var writer = BeginChoiceChunk(output);
        writer.WritePropertyName("content"u8);
        writer.WriteRawValue(rawText, skipInputValidation: true);
        EndChoiceChunk(writer, output, finishReason: null);
    }

    private void WriteError(IBufferWriter<byte> output, string message, string type, string? code)
    {
        Failed = true;
        FailureMessage = message;
        FailureType = type;
        output.Write("data: "u8);
        var writer = Writer(output);
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, message);
        writer.WriteString("type"u8, type);
        writer.WriteNull("param"u8);
        if (code is null)
        {
            writer.WriteNull("code"u8);
        }
        else
        {
            writer.WriteString("code"u8, code);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n\n"u8);
    }

    /// <summary><c>data: {"id", "object", "created", "model", "choices": [{"index": 0, "delta": {</c> — the caller writes the delta's properties.</summary>
    private Utf8JsonWriter BeginChoiceChunk(IBufferWriter<byte> output)
    {
        var writer = BeginChunk(output);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        writer.WriteStartObject("delta"u8);
        return writer;
    }

    private void EndChoiceChunk(Utf8JsonWriter writer, IBufferWriter<byte> output, string? finishReason)
    {
        writer.WriteEndObject();
        writer.WriteNull("logprobs"u8);
        if (finishReason is null)
        {
            writer.WriteNull(FinishReasonName);
        }
        else
        {
            writer.WriteString(FinishReasonName, finishReason);
        }
        writer.WriteEndObject();
        writer.WriteEndArray();
        if (_includeUsage)
        {
            writer.WriteNull("usage"u8);
        }
        EndChunk(writer, output);
    }

    private Utf8JsonWriter BeginChunk(IBufferWriter<byte> output)
    {
        output.Write("data: "u8);
        var writer = Writer(output);
        writer.WriteStartObject();
        writer.WriteString(IdName, _id);
        writer.WriteString(ObjectName, ChunkObject);
        writer.WriteNumber(CreatedName, _created);
        writer.WriteString(ModelName, _model);
        return writer;
    }

    private static void EndChunk(Utf8JsonWriter writer, IBufferWriter<byte> output)
    {
        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n\n"u8);
    }

    private Utf8JsonWriter Writer(IBufferWriter<byte> output)
    {
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(output, AnthropicJson.WriterOptions);
        }
        else
        {
            _writer.Reset(output);
        }
        return _writer;
    }

    private void RequireStarted()
    {
        if (!_started)
        {
            throw new JsonException("A content event came before message_start.");
        }
    }

    private void SetToolIndex(int blockIndex, int toolIndex)
    {
        if (blockIndex >= _blockToolIndex.Length)
        {
            if (blockIndex > 100_000)
            {
                throw new JsonException("Content block index out of range.");
            }
            var grown = new int[Math.Max(blockIndex + 1, Math.Max(4, _blockToolIndex.Length * 2))];
            Array.Fill(grown, -1);
            _blockToolIndex.CopyTo(grown, 0);
            _blockToolIndex = grown;
        }
        _blockToolIndex[blockIndex] = toolIndex;
    }

    private static Utf8JsonReader Open(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        Expect(ref reader, JsonTokenType.StartObject);
        return reader;
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"Expected {type}, found {reader.TokenType}.");
        }
    }
}
