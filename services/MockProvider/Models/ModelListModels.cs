using System.Text.Json.Serialization;

namespace Synaxis.MockProvider.Models;

public sealed record ModelList(ModelInfo[] Data)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}

public sealed record ModelInfo(string Id, long Created, string OwnedBy)
{
    [JsonPropertyOrder(-1)]
    public string Object => "model";
}
