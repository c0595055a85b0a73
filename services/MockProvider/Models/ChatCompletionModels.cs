using System.Text.Json.Serialization;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Models;

/// <summary>The part of OpenAI's chat request the mock acts on; every other field is accepted and ignored.</summary>
public sealed record ChatCompletionRequest(
    string? Model,
    ChatMessage[]? Messages,
    int? MaxTokens,
    int? MaxCompletionTokens,
    bool? Stream,
    StreamOptions? StreamOptions,
    int? N);

/// <summary>
/// <c>content</c> may be a string or an array of parts; the converter keeps only the text of the parts,
/// which is all the mock needs to answer and to count tokens.
/// </summary>
public sealed record ChatMessage(
    string? Role,
    [property: JsonConverter(typeof(MessageContentConverter))] string? Content);

public sealed record ChatCompletion(string Id, long Created, string Model, ChatChoice[] Choices, Usage Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object => "chat.completion";
}

public sealed record ChatChoice(int Index, AssistantMessage Message, string FinishReason);

public sealed record AssistantMessage(string Role, string Content);

public sealed record ChatCompletionChunk(
    string Id,
    long Created,
    string Model,
    ChatChunkChoice[] Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object => "chat.completion.chunk";
}

/// <summary><c>finish_reason</c> is written as <c>null</c> until the last content chunk, as OpenAI does.</summary>
public sealed record ChatChunkChoice(int Index, ChatDelta Delta, string? FinishReason);

public sealed record ChatDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content)
{
    public static readonly ChatDelta Empty = new(null, null);
}
