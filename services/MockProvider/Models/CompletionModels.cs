using System.Text.Json.Serialization;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Models;

/// <summary>Legacy <c>/v1/completions</c>; <c>prompt</c> is a string or an array of strings (one choice each).</summary>
public sealed record CompletionRequest(
    string? Model,
    [property: JsonConverter(typeof(StringOrStringArrayConverter))] string[]? Prompt,
    int? MaxTokens,
    bool? Stream,
    StreamOptions? StreamOptions,
    int? N);

/// <summary>Used both for the whole answer and for each streamed chunk, as OpenAI does.</summary>
public sealed record TextCompletion(
    string Id,
    long Created,
    string Model,
    TextChoice[] Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object => "text_completion";
}

public sealed record TextChoice(string Text, int Index, string? FinishReason);
