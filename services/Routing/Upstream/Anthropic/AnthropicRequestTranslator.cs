using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>
/// An OpenAI Chat Completions request body as an Anthropic Messages API request body
/// (<c>POST /v1/messages</c>). Pure: bytes in, bytes (or an error message) out.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>system</c> and <c>developer</c> messages, wherever they stand, are joined (blank line
/// between) into the top-level <c>system</c> string.</item>
/// <item><c>tool</c> messages become <c>tool_result</c> blocks of a user turn; consecutive messages
/// of one Anthropic role merge into one turn, as Anthropic requires alternation.</item>
/// <item><c>max_completion_tokens</c>, else <c>max_tokens</c>, else <see cref="DefaultMaxTokens"/>.</item>
/// <item><c>temperature</c> above 1 (OpenAI allows up to 2, Anthropic up to 1) is sent as 1.</item>
/// <item>Parameters Anthropic has no counterpart for and that only tune sampling or bookkeeping
/// (<c>frequency_penalty</c>, <c>presence_penalty</c>, <c>seed</c>, <c>logit_bias</c>, <c>store</c>,
/// <c>metadata</c>, <c>service_tier</c>, <c>reasoning_effort</c>, <c>stream_options</c>, …) are dropped;
/// ones whose answer the client could not get (<c>n</c> &gt; 1, <c>logprobs</c>, a JSON
/// <c>response_format</c>, audio, legacy <c>functions</c>) are refused.</item>
/// </list>
/// </remarks>
public static class AnthropicRequestTranslator
{
    /// <summary>Anthropic requires <c>max_tokens</c>; OpenAI does not. This is sent when the client gave none.</summary>
    public const int DefaultMaxTokens = 4096;

    private static readonly string[] SupportedImageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    /// <summary>
    /// Translates <paramref name="openAiChatRequestJson"/>; <c>null</c> with <paramref name="error"/> set
    /// (a sentence for a 400 <c>invalid_request_error</c>) when the body is not valid or asks for
    /// something Anthropic cannot do.
    /// </summary>
    public static byte[]? Translate(ReadOnlySpan<byte> openAiChatRequestJson, string upstreamModel, out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamModel);
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(openAiChatRequestJson, new JsonReaderOptions { MaxDepth = 128 });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                error = "The request body is not valid JSON: more than one value.";
                return null;
            }
        }
        catch (JsonException ex)
        {
            error = $"The request body is not valid JSON: {ex.Message}";
            return null;
        }

        using (document)
        {
            try
            {
                var output = new ArrayBufferWriter<byte>(Math.Max(256, openAiChatRequestJson.Length + 128));
                using (var writer = new Utf8JsonWriter(output, AnthropicJson.WriterOptions))
                {
                    Write(document.RootElement, upstreamModel, writer);
                }
                error = null;
                return output.WrittenSpan.ToArray();
            }
            catch (InvalidRequestException ex)
            {
                error = ex.Message;
                return null;
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
            {
                // Valid JSON the writer cannot carry, such as an escaped lone surrogate ("\ud800").
                error = $"The request body contains a value that cannot be sent on: {ex.Message}";
                return null;
            }
        }
    }

    private static void Write(JsonElement root, string upstreamModel, Utf8JsonWriter writer)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The request body must be a JSON object.");
        }
        if (!TryGet(root, "messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("Missing required parameter: 'messages' (an array of messages).");
        }
        if (messages.GetArrayLength() == 0)
        {
            throw Invalid("'messages' must contain at least one message.");
        }
        RejectUnsupported(root);
        var maxTokens = ReadMaxTokens(root);
        var system = CollectSystem(messages);

        writer.WriteStartObject();
        writer.WriteString("model"u8, upstreamModel);
        writer.WriteNumber("max_tokens"u8, maxTokens);
        if (system is not null)
        {
            writer.WriteString("system"u8, system);
        }
        WriteMessages(messages, writer);
        var hasTools = WriteTools(root, writer);
        WriteToolChoice(root, hasTools, writer);
        WriteStopSequences(root, writer);
        WriteSampling(root, writer);
        if (TryGet(root, "user", out var user) && user.ValueKind == JsonValueKind.String && !user.ValueEquals(""u8))
        {
            writer.WriteStartObject("metadata"u8);
            writer.WritePropertyName("user_id"u8);
            user.WriteTo(writer);
            writer.WriteEndObject();
        }
        if (TryGet(root, "stream", out var stream))
        {
            if (stream.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw Invalid("Invalid type for 'stream': expected a boolean.");
            }
            writer.WriteBoolean("stream"u8, stream.GetBoolean());
        }
        writer.WriteEndObject();
    }

    private static void RejectUnsupported(JsonElement root)
    {
        if (TryGet(root, "n", out var n) && !(n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out var count) && count == 1))
        {
            throw Invalid("'n' other than 1 is not supported for this model: Anthropic returns one choice.");
        }
        if (TryGet(root, "logprobs", out var logprobs) && logprobs.ValueKind == JsonValueKind.True)
        {
            throw Invalid("'logprobs' is not supported for this model.");
        }
        if (TryGet(root, "response_format", out var format))
        {
            var type = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            if (type != "text")
            {
                throw Invalid($"'response_format' of type '{type ?? "(missing)"}' is not supported for this model; only 'text' is.");
            }
        }
        if (TryGet(root, "functions", out _) || TryGet(root, "function_call", out _))
        {
            throw Invalid("'functions' and 'function_call' are deprecated and not supported for this model; use 'tools' and 'tool_choice'.");
        }
        if (TryGet(root, "audio", out _))
        {
            throw Invalid("Audio output is not supported for this model.");
        }
        if (TryGet(root, "modalities", out var modalities) && modalities.ValueKind == JsonValueKind.Array)
        {
            foreach (var modality in modalities.EnumerateArray())
            {
                if (!(modality.ValueKind == JsonValueKind.String && modality.ValueEquals("text"u8)))
                {
                    throw Invalid("Only the 'text' output modality is supported for this model.");
                }
            }
        }
    }

    private static long ReadMaxTokens(JsonElement root)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (TryGet(root, name, out var value))
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var tokens) || tokens < 1)
                {
                    throw Invalid($"Invalid '{name}': expected a positive integer.");
                }
                return tokens;
            }
        }
        return DefaultMaxTokens;
    }

    private static string? CollectSystem(JsonElement messages)
    {
        StringBuilder? system = null;
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = ReadRole(message, i);
            if (role is "system" or "developer")
            {
                if (!message.TryGetProperty("content", out var content))
                {
                    throw Invalid($"Missing required parameter: 'messages[{i}].content'.");
                }
                foreach (var text in TextParts(content, $"messages[{i}].content", allowRefusal: false))
                {
                    if (text.Length == 0)
                    {
                        continue;
                    }
                    if (system is null)
                    {
                        system = new StringBuilder(text);
                    }
                    else
                    {
                        system.Append("\n\n").Append(text);
                    }
                }
            }
            i++;
        }
        return system?.ToString();
    }

    private static string ReadRole(JsonElement message, int index)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for 'messages[{index}]': expected an object.");
        }
        if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"Missing required parameter: 'messages[{index}].role'.");
        }
        return role.GetString()!;
    }

    /// <summary>The text of a string content or of an array of text parts (and refusal parts, for the assistant).</summary>
    private static List<string> TextParts(JsonElement content, string path, bool allowRefusal)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                return [content.GetString()!];
            case JsonValueKind.Array:
                var texts = new List<string>();
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    var type = PartType(part, $"{path}[{j}]");
                    if (type == "text")
                    {
                        texts.Add(RequiredString(part, "text", $"{path}[{j}].text"));
                    }
                    else if (type == "refusal" && allowRefusal)
                    {
                        texts.Add(RequiredString(part, "refusal", $"{path}[{j}].refusal"));
                    }
                    else
                    {
                        throw Invalid($"Invalid content part type '{type}' in '{path}[{j}]': only text is supported here.");
                    }
                    j++;
                }
                return texts;
            default:
                throw Invalid($"Invalid type for '{path}': expected a string or an array of content parts.");
        }
    }

    private static void WriteMessages(JsonElement messages, Utf8JsonWriter writer)
    {
        var turns = new TurnWriter(writer);
        writer.WriteStartArray("messages"u8);
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = ReadRole(message, i);
            switch (role)
            {
                case "system" or "developer":
                    break;
                case "user":
                    WriteUserContent(message, i, turns);
                    break;
                case "assistant":
                    WriteAssistant(message, i, turns);
                    break;
                case "tool":
                    WriteToolResult(message, i, turns);
                    break;
                case "function":
                    throw Invalid($"'messages[{i}]': the 'function' role is deprecated and not supported for this model; use 'tool'.");
                default:
                    throw Invalid($"Invalid value for 'messages[{i}].role': '{role}'. Supported: system, developer, user, assistant, tool.");
            }
            i++;
        }
        if (!turns.Close())
        {
            throw Invalid("'messages' must contain at least one user or assistant message with content.");
        }
        writer.WriteEndArray();
    }

    private static void WriteUserContent(JsonElement message, int i, TurnWriter turns)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            throw Invalid($"Missing required parameter: 'messages[{i}].content'.");
        }
        var writer = turns.Writer;
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                if (!content.ValueEquals(""u8))
                {
                    turns.Begin("user");
                    WriteTextBlock(writer, content);
                }
                break;
            case JsonValueKind.Array:
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    var path = $"messages[{i}].content[{j}]";
                    switch (PartType(part, path))
                    {
                        case "text":
                            var text = RequiredElement(part, "text", JsonValueKind.String, $"{path}.text");
                            if (!text.ValueEquals(""u8))
                            {
                                turns.Begin("user");
                                WriteTextBlock(writer, text);
                            }
                            break;
                        case "image_url":
                            turns.Begin("user");
                            WriteImageBlock(writer, part, path);
                            break;
                        case "file":
                            turns.Begin("user");
                            WriteDocumentBlock(writer, part, path);
                            break;
                        case var other:
                            throw Invalid($"Content part type '{other}' in '{path}' is not supported for this model; supported: text, image_url, file (PDF).");
                    }
                    j++;
                }
                break;
            case JsonValueKind.Null:
                break;
            default:
                throw Invalid($"Invalid type for 'messages[{i}].content': expected a string or an array of content parts.");
        }
    }

    private static void WriteAssistant(JsonElement message, int i, TurnWriter turns)
    {
        if (TryGet(message, "function_call", out _))
        {
            throw Invalid($"'messages[{i}].function_call' is deprecated and not supported for this model; use 'tool_calls'.");
        }
        var writer = turns.Writer;
        if (message.TryGetProperty("content", out var content))
        {
            foreach (var text in TextParts(content, $"messages[{i}].content", allowRefusal: true))
            {
                if (text.Length > 0)
                {
                    turns.Begin("assistant");
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "text"u8);
                    writer.WriteString("text"u8, text);
                    writer.WriteEndObject();
                }
            }
        }
        if (!TryGet(message, "tool_calls", out var toolCalls))
        {
            return;
        }
        if (toolCalls.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for 'messages[{i}].tool_calls': expected an array.");
        }
        var j = 0;
        foreach (var call in toolCalls.EnumerateArray())
        {
            var path = $"messages[{i}].tool_calls[{j}]";
            if (call.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{path}': expected an object.");
            }
            if (TryGet(call, "type", out var type) && !(type.ValueKind == JsonValueKind.String && type.ValueEquals("function"u8)))
            {
                throw Invalid($"Invalid value for '{path}.type': only 'function' tool calls are supported.");
            }
            var id = RequiredElement(call, "id", JsonValueKind.String, $"{path}.id");
            var function = RequiredElement(call, "function", JsonValueKind.Object, $"{path}.function");
            var name = RequiredElement(function, "name", JsonValueKind.String, $"{path}.function.name");

            turns.Begin("assistant");
            writer.WriteStartObject();
            writer.WriteString("type"u8, "tool_use"u8);
            writer.WritePropertyName("id"u8);
            id.WriteTo(writer);
            writer.WritePropertyName("name"u8);
            name.WriteTo(writer);
            writer.WritePropertyName("input"u8);
            WriteToolInput(writer, function, $"{path}.function.arguments");
            writer.WriteEndObject();
            j++;
        }
    }

    /// <summary>OpenAI carries arguments as a JSON string; Anthropic wants the object itself.</summary>
    private static void WriteToolInput(Utf8JsonWriter writer, JsonElement function, string path)
    {
        if (!TryGet(function, "arguments", out var arguments))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            arguments.WriteTo(writer);
            return;
        }
        if (arguments.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"Invalid type for '{path}': expected a string of JSON.");
        }
        var text = arguments.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }
        try
        {
            using var parsed = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 128 });
            if (parsed.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid '{path}': Anthropic tool input must be a JSON object.");
            }
            parsed.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            throw Invalid($"Invalid '{path}': not valid JSON.");
        }
    }

    private static void WriteToolResult(JsonElement message, int i, TurnWriter turns)
    {
        var id = RequiredElement(message, "tool_call_id", JsonValueKind.String, $"messages[{i}].tool_call_id");
        message.TryGetProperty("content", out var content);
        var writer = turns.Writer;
        turns.Begin("user");
        writer.WriteStartObject();
        writer.WriteString("type"u8, "tool_result"u8);
        writer.WritePropertyName("tool_use_id"u8);
        id.WriteTo(writer);
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                if (!content.ValueEquals(""u8))
                {
                    writer.WritePropertyName("content"u8);
                    content.WriteTo(writer);
                }
                break;
            case JsonValueKind.Array:
                var texts = TextParts(content, $"messages[{i}].content", allowRefusal: false);
                if (texts.Exists(t => t.Length > 0))
                {
                    writer.WriteStartArray("content"u8);
                    foreach (var text in texts)
                    {
                        if (text.Length > 0)
                        {
                            writer.WriteStartObject();
                            writer.WriteString("type"u8, "text"u8);
                            writer.WriteString("text"u8, text);
                            writer.WriteEndObject();
                        }
                    }
                    writer.WriteEndArray();
                }
                break;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                break;
            default:
                throw Invalid($"Invalid type for 'messages[{i}].content': expected a string or an array of text parts.");
        }
        writer.WriteEndObject();
    }

    private static void WriteTextBlock(Utf8JsonWriter writer, JsonElement text)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "text"u8);
        writer.WritePropertyName("text"u8);
        text.WriteTo(writer);
        writer.WriteEndObject();
    }

    private static void WriteImageBlock(Utf8JsonWriter writer, JsonElement part, string path)
    {
        if (!part.TryGetProperty("image_url", out var image))
        {
            throw Invalid($"Missing required parameter: '{path}.image_url'.");
        }
        var url = image.ValueKind switch
        {
            JsonValueKind.String => image.GetString()!,
            JsonValueKind.Object => RequiredString(image, "url", $"{path}.image_url.url"),
            _ => throw Invalid($"Invalid type for '{path}.image_url': expected an object with a 'url'."),
        };
        writer.WriteStartObject();
        writer.WriteString("type"u8, "image"u8);
        writer.WriteStartObject("source"u8);
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var (mediaType, dataStart) = ParseDataUrl(url, $"{path}.image_url.url");
            if (mediaType == "image/jpg")
            {
                mediaType = "image/jpeg";
            }
            if (Array.IndexOf(SupportedImageTypes, mediaType) < 0)
            {
                throw Invalid($"Invalid '{path}.image_url.url': image type '{mediaType}' is not supported; supported: {string.Join(", ", SupportedImageTypes)}.");
            }
            writer.WriteString("type"u8, "base64"u8);
            writer.WriteString("media_type"u8, mediaType);
            writer.WriteString("data"u8, url.AsSpan(dataStart));
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            writer.WriteString("type"u8, "url"u8);
            writer.WriteString("url"u8, url);
        }
        else
        {
            throw Invalid($"Invalid '{path}.image_url.url': expected an http(s) URL or a base64 data URL.");
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteDocumentBlock(Utf8JsonWriter writer, JsonElement part, string path)
    {
        var file = RequiredElement(part, "file", JsonValueKind.Object, $"{path}.file");
        if (!TryGet(file, "file_data", out var data) || data.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"'{path}.file': only inline 'file_data' (a base64 data URL of a PDF) is supported for this model, not 'file_id'.");
        }
        var url = data.GetString()!;
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"Invalid '{path}.file.file_data': expected a base64 data URL.");
        }
        var (mediaType, dataStart) = ParseDataUrl(url, $"{path}.file.file_data");
        if (mediaType != "application/pdf")
        {
            throw Invalid($"Invalid '{path}.file.file_data': file type '{mediaType}' is not supported; only application/pdf is.");
        }
        writer.WriteStartObject();
        writer.WriteString("type"u8, "document"u8);
        writer.WriteStartObject("source"u8);
        writer.WriteString("type"u8, "base64"u8);
        writer.WriteString("media_type"u8, mediaType);
        writer.WriteString("data"u8, url.AsSpan(dataStart));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary><c>data:&lt;media type&gt;[;params];base64,&lt;data&gt;</c> → (lower-case media type, index of the data).</summary>
    private static (string MediaType, int DataStart) ParseDataUrl(string url, string path)
    {
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw Invalid($"Invalid '{path}': a data URL needs a ',' before its data.");
        }
        var meta = url.AsSpan(5, comma - 5);
        if (!meta.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"Invalid '{path}': only base64 data URLs are supported.");
        }
        var semicolon = meta.IndexOf(';');
        var mediaType = meta[..semicolon].Trim().ToString().ToLowerInvariant();
        if (mediaType.Length == 0)
        {
            throw Invalid($"Invalid '{path}': the data URL has no media type.");
        }
        if (comma == url.Length - 1)
        {
            throw Invalid($"Invalid '{path}': the data URL has no data.");
        }
        return (mediaType, comma + 1);
    }

    private static bool WriteTools(JsonElement root, Utf8JsonWriter writer)
    {
        if (!TryGet(root, "tools", out var tools))
        {
            return false;
        }
        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("Invalid type for 'tools': expected an array.");
        }
        if (tools.GetArrayLength() == 0)
        {
            return false;
        }
        writer.WriteStartArray("tools"u8);
        var j = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var path = $"tools[{j}]";
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{path}': expected an object.");
            }
            if (!TryGet(tool, "type", out var type) || !(type.ValueKind == JsonValueKind.String && type.ValueEquals("function"u8)))
            {
                throw Invalid($"Invalid value for '{path}.type': only 'function' tools are supported for this model.");
            }
            var function = RequiredElement(tool, "function", JsonValueKind.Object, $"{path}.function");
            var name = RequiredElement(function, "name", JsonValueKind.String, $"{path}.function.name");
            if (name.ValueEquals(""u8))
            {
                throw Invalid($"Invalid '{path}.function.name': empty.");
            }
            writer.WriteStartObject();
            writer.WritePropertyName("name"u8);
            name.WriteTo(writer);
            if (TryGet(function, "description", out var description))
            {
                if (description.ValueKind != JsonValueKind.String)
                {
                    throw Invalid($"Invalid type for '{path}.function.description': expected a string.");
                }
                writer.WritePropertyName("description"u8);
                description.WriteTo(writer);
            }
            writer.WriteStartObject("input_schema"u8);
            if (TryGet(function, "parameters", out var parameters))
            {
                if (parameters.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid($"Invalid type for '{path}.function.parameters': expected a JSON Schema object.");
                }
                // Anthropic requires "type": "object"; OpenAI lets {} stand for "no parameters".
                if (!parameters.TryGetProperty("type", out _))
                {
                    writer.WriteString("type"u8, "object"u8);
                }
                foreach (var property in parameters.EnumerateObject())
                {
                    property.WriteTo(writer);
                }
            }
            else
            {
                writer.WriteString("type"u8, "object"u8);
                writer.WriteStartObject("properties"u8);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
            j++;
        }
        writer.WriteEndArray();
        return true;
    }

    private static void WriteToolChoice(JsonElement root, bool hasTools, Utf8JsonWriter writer)
    {
        var disableParallel = false;
        if (TryGet(root, "parallel_tool_calls", out var parallel))
        {
            if (parallel.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw Invalid("Invalid type for 'parallel_tool_calls': expected a boolean.");
            }
            disableParallel = parallel.ValueKind == JsonValueKind.False;
        }

        string type;
        JsonElement name = default;
        if (!TryGet(root, "tool_choice", out var choice))
        {
            if (!hasTools || !disableParallel)
            {
                return;
            }
            type = "auto";
        }
        else if (choice.ValueKind == JsonValueKind.String)
        {
            type = choice.GetString() switch
            {
                "auto" => "auto",
                "none" => "none",
                "required" => "any",
                var other => throw Invalid($"Invalid value for 'tool_choice': '{other}'. Supported: none, auto, required, or a function."),
            };
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            if (!TryGet(choice, "type", out var choiceType) || !(choiceType.ValueKind == JsonValueKind.String && choiceType.ValueEquals("function"u8)))
            {
                throw Invalid("Invalid value for 'tool_choice.type': only 'function' is supported.");
            }
            var function = RequiredElement(choice, "function", JsonValueKind.Object, "tool_choice.function");
            name = RequiredElement(function, "name", JsonValueKind.String, "tool_choice.function.name");
            type = "tool";
        }
        else
        {
            throw Invalid("Invalid type for 'tool_choice': expected a string or an object.");
        }

        if (!hasTools)
        {
            if (type is "none" or "auto")
            {
                return;
            }
            throw Invalid("'tool_choice' requires 'tools' to be set.");
        }
        writer.WriteStartObject("tool_choice"u8);
        writer.WriteString("type"u8, type);
        if (type == "tool")
        {
            writer.WritePropertyName("name"u8);
            name.WriteTo(writer);
        }
        if (disableParallel && type != "none")
        {
            writer.WriteBoolean("disable_parallel_tool_use"u8, true);
        }
        writer.WriteEndObject();
    }

    private static void WriteStopSequences(JsonElement root, Utf8JsonWriter writer)
    {
        if (!TryGet(root, "stop", out var stop))
        {
            return;
        }
        var sequences = new List<JsonElement>();
        switch (stop.ValueKind)
        {
            case JsonValueKind.String:
                sequences.Add(stop);
                break;
            case JsonValueKind.Array:
                foreach (var item in stop.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw Invalid("Invalid type for 'stop': expected a string or an array of strings.");
                    }
                    sequences.Add(item);
                }
                break;
            default:
                throw Invalid("Invalid type for 'stop': expected a string or an array of strings.");
        }
        sequences.RemoveAll(s => s.ValueEquals(""u8));
        if (sequences.Count == 0)
        {
            return;
        }
        writer.WriteStartArray("stop_sequences"u8);
        foreach (var sequence in sequences)
        {
            sequence.WriteTo(writer);
        }
        writer.WriteEndArray();
    }

    private static void WriteSampling(JsonElement root, Utf8JsonWriter writer)
    {
        if (TryGet(root, "temperature", out var temperature))
        {
            var t = temperature.ValueKind == JsonValueKind.Number && temperature.TryGetDouble(out var value) ? value : double.NaN;
            if (!(t >= 0 && t <= 2))
            {
                throw Invalid("Invalid 'temperature': expected a number from 0 to 2.");
            }
            if (t > 1)
            {
                writer.WriteNumber("temperature"u8, 1);
            }
            else
            {
                writer.WritePropertyName("temperature"u8);
                temperature.WriteTo(writer);
            }
        }
        if (TryGet(root, "top_p", out var topP))
        {
            var p = topP.ValueKind == JsonValueKind.Number && topP.TryGetDouble(out var value) ? value : double.NaN;
            if (!(p >= 0 && p <= 1))
            {
                throw Invalid("Invalid 'top_p': expected a number from 0 to 1.");
            }
            writer.WritePropertyName("top_p"u8);
            topP.WriteTo(writer);
        }
        // Not OpenAI's, but several OpenAI-compatible clients send it; Anthropic has it.
        if (TryGet(root, "top_k", out var topK))
        {
            if (topK.ValueKind != JsonValueKind.Number || !topK.TryGetInt64(out var k) || k < 0)
            {
                throw Invalid("Invalid 'top_k': expected a non-negative integer.");
            }
            writer.WriteNumber("top_k"u8, k);
        }
    }

    private static string PartType(JsonElement part, string path)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{path}': expected a content part object.");
        }
        return RequiredString(part, "type", $"{path}.type");
    }

    private static string RequiredString(JsonElement parent, string name, string path) =>
        RequiredElement(parent, name, JsonValueKind.String, path).GetString()!;

    private static JsonElement RequiredElement(JsonElement parent, string name, JsonValueKind kind, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Invalid($"Missing required parameter: '{path}'.");
        }
        if (value.ValueKind != kind)
        {
            throw Invalid($"Invalid type for '{path}': expected {(kind == JsonValueKind.String ? "a string" : "an " + kind.ToString().ToLower(CultureInfo.InvariantCulture))}.");
        }
        return value;
    }

    /// <summary>A property that is there and not <c>null</c> (OpenAI treats <c>null</c> as absent).</summary>
    private static bool TryGet(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static InvalidRequestException Invalid(string message) => new(message);

    private sealed class InvalidRequestException(string message) : Exception(message);

    /// <summary>Opens a turn only when a block arrives, so empty messages vanish and same-role messages merge.</summary>
    private sealed class TurnWriter(Utf8JsonWriter writer)
    {
        private string? _role;
        private bool _any;

        public Utf8JsonWriter Writer { get; } = writer;

        public void Begin(string role)
        {
            if (_role == role)
            {
                return;
            }
            Close();
            Writer.WriteStartObject();
            Writer.WriteString("role"u8, role);
            Writer.WriteStartArray("content"u8);
            _role = role;
        }

        /// <summary>Closes the open turn; false when none was ever opened.</summary>
        public bool Close()
        {
            if (_role is not null)
            {
                Writer.WriteEndArray();
                Writer.WriteEndObject();
                _role = null;
                _any = true;
            }
            return _any;
        }
    }
}
