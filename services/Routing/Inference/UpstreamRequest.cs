using System.Buffers;
using System.Text.Json;

namespace Synaxis.Routing.Inference;

/// <summary>What Routing reads from a client's inference body (one pass), and how it rewrites it for an upstream.</summary>
internal sealed class UpstreamRequest
{
    private static readonly byte[] IncludeUsageObject = """{"include_usage":true}"""u8.ToArray();
    private static readonly byte[] IncludeUsageProperty = "\"stream_options\":{\"include_usage\":true},"u8.ToArray();

    private readonly byte[] _body;
    private readonly (int Start, int End) _model;
    private readonly (int Start, int End)? _streamOptions;
    private readonly int _objectStart;

    private UpstreamRequest(byte[] body, string model, (int, int) modelRange, bool stream, bool clientWantsUsage, (int, int)? streamOptions, int objectStart)
    {
        _body = body;
        Model = model;
        _model = modelRange;
        Stream = stream;
        ClientWantsUsage = clientWantsUsage;
        _streamOptions = streamOptions;
        _objectStart = objectStart;
    }

    /// <summary>The name the client asked for (answers carry it back).</summary>
    public string Model { get; }

    public bool Stream { get; }

    /// <summary><c>stream_options.include_usage</c>: the final usage chunk is shown to the client only then.</summary>
    public bool ClientWantsUsage { get; }

    public ReadOnlyMemory<byte> Body => _body;

    public static UpstreamRequest? TryRead(byte[] body, out string? error)
    {
        error = null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        string? model = null;
        (int, int) modelRange = default;
        (int, int)? streamOptions = null;
        var stream = false;
        var includeUsage = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The request body must be a JSON object.";
                return null;
            }
            var objectStart = (int)reader.TokenStartIndex;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    var probe = reader;
                    probe.Read();
                    if (probe.TokenType != JsonTokenType.String)
                    {
                        error = "'model' must be a string.";
                        return null;
                    }
                    model = probe.GetString();
                    modelRange = JsonEdits.ValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    var probe = reader;
                    streamOptions = JsonEdits.ValueRange(ref reader);
                    includeUsage = ReadIncludeUsage(ref probe);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (string.IsNullOrWhiteSpace(model))
            {
                error = "You must provide a model parameter.";
                return null;
            }
            return new UpstreamRequest(body, model, modelRange, stream, stream && includeUsage, streamOptions, objectStart);
        }
        catch (JsonException)
        {
            error = "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.";
            return null;
        }
    }

    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        var depth = reader.CurrentDepth;
        var include = false;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("include_usage"u8))
            {
                reader.Read();
                include = reader.TokenType == JsonTokenType.True;
            }
        }
        return include;
    }

    /// <summary>
    /// The body for one upstream: <c>model</c> set to its name for the model, and for a stream usage always asked for
    /// (the answer's cost needs it even when the client did not ask; the chunk is then not shown to the client).
    /// </summary>
    public byte[] For(string upstreamModel)
    {
        Span<JsonEdits.Edit> edits = new JsonEdits.Edit[2];
        var count = 0;
        edits[count++] = new JsonEdits.Edit(_model.Start, _model.End, JsonEdits.QuotedString(upstreamModel));
        if (Stream && !ClientWantsUsage)
        {
            edits[count++] = _streamOptions is { } options
                ? new JsonEdits.Edit(options.Start, options.End, IncludeUsageObject)
                : new JsonEdits.Edit(_objectStart + 1, _objectStart + 1, IncludeUsageProperty);
        }
        var output = new ArrayBufferWriter<byte>(_body.Length + 64);
        JsonEdits.Apply(_body, edits[..count], output);
        return output.WrittenSpan.ToArray();
    }
}
