using System.Text.Json.Serialization;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// The signed JSON: who is calling, not which request (the request id travels in <c>x-request-id</c>, so one signature
/// serves a caller for a while). Short names: it travels on every internal request.
/// </summary>
internal sealed class InternalIdentityPayload
{
    [JsonPropertyName("sub")]
    public Guid? Subject { get; set; }

    [JsonPropertyName("org"), JsonRequired]
    public Guid Organization { get; set; }

    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("groups")]
    public Guid[] Groups { get; set; } = [];

    [JsonPropertyName("key")]
    public Guid? Key { get; set; }

    [JsonPropertyName("scopes")]
    public string[] Scopes { get; set; } = [];

    [JsonPropertyName("iat"), JsonRequired]
    public long IssuedAt { get; set; }

    [JsonPropertyName("exp"), JsonRequired]
    public long ExpiresAt { get; set; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(InternalIdentityPayload))]
internal sealed partial class InternalIdentityJsonContext : JsonSerializerContext;
