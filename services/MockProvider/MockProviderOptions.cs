using Synaxis.MockProvider.Faults;

namespace Synaxis.MockProvider;

/// <summary>Configuration section <c>MockProvider</c>. Everything is optional.</summary>
public sealed class MockProviderOptions
{
    public const string SectionName = "MockProvider";

    /// <summary>Served when <see cref="Models"/> is empty. Configured ids replace these rather than adding to them.</summary>
    public static readonly IReadOnlyList<string> DefaultModels = ["mock-chat", "mock-embedding"];

    /// <summary>OpenAI's text-embedding-3-small default, so payload sizes through the gateway are realistic.</summary>
    public const int DefaultEmbeddingDimensions = 1536;

    /// <summary>Above this a request is refused: a vector is built in memory per input.</summary>
    public const int MaxEmbeddingDimensions = 16384;

    /// <summary>Ids listed by <c>GET /v1/models</c>.</summary>
    public string[] Models { get; set; } = [];

    /// <summary>When set, requests must send it as <c>Authorization: Bearer …</c> or <c>api-key: …</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Used when an embeddings request has no <c>dimensions</c>.</summary>
    public int EmbeddingDimensions { get; set; } = DefaultEmbeddingDimensions;

    /// <summary>
    /// When true, inference for a model not in <see cref="Models"/> answers 404 <c>model_not_found</c>.
    /// Off by default: the mock echoes any model name, which is what gateway deployments usually want.
    /// </summary>
    public bool StrictModels { get; set; }

    public FaultOptions Faults { get; set; } = new();

    public IReadOnlyList<string> EffectiveModels => Models is { Length: > 0 } ? Models : DefaultModels;
}
