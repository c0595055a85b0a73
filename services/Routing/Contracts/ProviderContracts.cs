using System.ComponentModel.DataAnnotations;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Contracts;

/// <summary>A free tier's quotas; each absent one is not tracked.</summary>
public sealed record FreeTier(
    [property: Range(1, int.MaxValue)] int? RequestsPerMinute,
    [property: Range(1, int.MaxValue)] int? RequestsPerDay,
    [property: Range(1, int.MaxValue)] int? TokensPerMinute);

/// <param name="Kind"><c>openai-compatible</c>, <c>anthropic</c> or <c>azure-openai</c>.</param>
/// <param name="BaseUrl">
/// The API root, e.g. <c>https://api.groq.com/openai/v1/</c>. An organization's must be on the public internet: not
/// <c>localhost</c> nor a loopback, private or link-local address (unless <c>Routing:CustomProviders:AllowPrivateNetworks</c>).
/// </param>
/// <param name="ApiKey">Write-only: stored encrypted, never returned. Absent or empty: the provider needs none.</param>
/// <param name="ApiVersion">Azure OpenAI's <c>api-version</c>: required for <c>azure-openai</c>, refused for the other kinds.</param>
/// <param name="IsFree">False when absent.</param>
/// <param name="FreeTier">Only for a free provider.</param>
/// <param name="Enabled">True when absent.</param>
/// <param name="Global">A provider every organization sees: platform administrators only.</param>
public sealed record CreateProviderRequest(
    [property: Required, StringLength(CatalogLimits.ProviderNameLength, MinimumLength = 1)] string Name,
    [property: Required, OneOf(ProviderKinds.OpenAICompatible, ProviderKinds.Anthropic, ProviderKinds.AzureOpenAI)] string Kind,
    [property: Required, StringLength(CatalogLimits.BaseUrlLength), HttpUrl] string BaseUrl,
    [property: StringLength(CatalogLimits.ApiKeyLength), NoControlCharacters] string? ApiKey,
    [property: NotBlank, StringLength(CatalogLimits.ApiVersionLength)] string? ApiVersion,
    bool? IsFree,
    FreeTier? FreeTier,
    bool? Enabled,
    bool? Global);

/// <summary>
/// Changes what the body names; an absent (or null) field keeps its value. <c>apiKey: ""</c> removes the key;
/// <c>freeTier</c> replaces the whole tier; turning <c>isFree</c> off clears it; leaving <c>azure-openai</c> clears
/// <c>apiVersion</c>. <c>global</c>, when sent, must say what the provider is: a provider never changes scope.
/// </summary>
public sealed record UpdateProviderRequest(
    [property: NotBlank, StringLength(CatalogLimits.ProviderNameLength)] string? Name,
    [property: OneOf(ProviderKinds.OpenAICompatible, ProviderKinds.Anthropic, ProviderKinds.AzureOpenAI)] string? Kind,
    [property: StringLength(CatalogLimits.BaseUrlLength), HttpUrl] string? BaseUrl,
    [property: StringLength(CatalogLimits.ApiKeyLength), NoControlCharacters] string? ApiKey,
    [property: NotBlank, StringLength(CatalogLimits.ApiVersionLength)] string? ApiVersion,
    bool? IsFree,
    FreeTier? FreeTier,
    bool? Enabled,
    bool? Global);

/// <summary>A provider as the API answers it: never its API key, only whether it has one.</summary>
/// <param name="OrganizationId">Null for a global provider.</param>
/// <param name="FreeTier">Null when no quota is tracked.</param>
public sealed record ProviderResponse(
    Guid Id,
    Guid? OrganizationId,
    bool Global,
    string Name,
    string Kind,
    string BaseUrl,
    string? ApiVersion,
    bool HasApiKey,
    bool IsFree,
    FreeTier? FreeTier,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The organization's providers and the global ones, by name.</summary>
public sealed record ProviderListResponse(IReadOnlyList<ProviderResponse> Items);
