using System.Text.Json.Serialization;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Models;

public sealed record EmbeddingRequest(
    string? Model,
    [property: JsonConverter(typeof(StringOrStringArrayConverter))] string[]? Input,
    int? Dimensions,
    string? EncodingFormat);

/// <summary><typeparamref name="TVector"/> is <c>float[]</c> or, for <c>encoding_format: base64</c>, a string.</summary>
public sealed record EmbeddingList<TVector>(EmbeddingItem<TVector>[] Data, string Model, EmbeddingUsage Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}

public sealed record EmbeddingItem<TVector>(int Index, TVector Embedding)
{
    [JsonPropertyOrder(-1)]
    public string Object => "embedding";
}

public sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);
