using Synaxis.ServiceKit.Data;

namespace Synaxis.Routing.Model;

/// <summary>
/// An upstream LLM provider: global (<see cref="OrganizationId"/> null, managed by platform admins, visible to every
/// organization) or an organization's own. Its API key is stored encrypted (ASP.NET Core Data Protection) and never
/// returned by the API.
/// </summary>
public sealed class Provider : Entity
{
    /// <summary>Null: a global provider.</summary>
    public Guid? OrganizationId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>One of <see cref="ProviderKinds"/>.</summary>
    public string Kind { get; set; } = ProviderKinds.OpenAICompatible;

    /// <summary>The API root, e.g. <c>https://api.groq.com/openai/v1/</c> (OpenAI-compatible: the folder holding <c>chat/completions</c>).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>The provider's API key, protected with Data Protection; null when it needs none (Ollama, the mock).</summary>
    public string? ProtectedApiKey { get; set; }

    /// <summary>Azure OpenAI's <c>api-version</c>; null for the other kinds.</summary>
    public string? ApiVersion { get; set; }

    public bool IsFree { get; set; }

    /// <summary>The free tier's quotas, tracked in Redis so an exhausted provider is skipped before it answers 429.</summary>
    public int? FreeRequestsPerMinute { get; set; }

    public int? FreeRequestsPerDay { get; set; }

    public int? FreeTokensPerMinute { get; set; }

    public bool Enabled { get; set; } = true;

    public List<Deployment> Deployments { get; set; } = [];
}

public static class ProviderKinds
{
    public const string OpenAICompatible = "openai-compatible";
    public const string Anthropic = "anthropic";
    public const string AzureOpenAI = "azure-openai";

    public static readonly IReadOnlyList<string> All = [OpenAICompatible, Anthropic, AzureOpenAI];
}
