using System.ComponentModel.DataAnnotations;

namespace Synaxis.Routing.Contracts;

/// <param name="Model">The public name clients ask for.</param>
/// <param name="ProviderId">One of the organization's providers or a global one (a global deployment: a global one).</param>
/// <param name="UpstreamModel">The provider's own name for the model.</param>
/// <param name="InputPricePer1M">US dollars per 1M input tokens: 0 to 1,000,000, at most 9 decimals.</param>
/// <param name="OutputPricePer1M">US dollars per 1M output tokens: 0 to 1,000,000, at most 9 decimals.</param>
/// <param name="Aliases">Other public names for it: up to 20, distinct.</param>
/// <param name="Global">A deployment every organization sees: platform administrators only.</param>
public sealed record CreateDeploymentRequest(
    [property: Required, ModelName] string Model,
    [property: Required, NotEmptyGuid] Guid? ProviderId,
    [property: Required, ModelName] string UpstreamModel,
    [property: Required, PricePer1M] decimal? InputPricePer1M,
    [property: Required, PricePer1M] decimal? OutputPricePer1M,
    [property: Range(1, CatalogLimits.MaxContextWindow)] int? ContextWindow,
    [property: ModelAliases] IReadOnlyList<string>? Aliases,
    bool? Global);

/// <summary>
/// Changes what the body names; an absent (or null) field keeps its value (<c>aliases: []</c> removes them all).
/// <c>global</c>, when sent, must say what the deployment is: a deployment never changes scope.
/// </summary>
public sealed record UpdateDeploymentRequest(
    [property: ModelName] string? Model,
    [property: NotEmptyGuid] Guid? ProviderId,
    [property: ModelName] string? UpstreamModel,
    [property: PricePer1M] decimal? InputPricePer1M,
    [property: PricePer1M] decimal? OutputPricePer1M,
    [property: Range(1, CatalogLimits.MaxContextWindow)] int? ContextWindow,
    [property: ModelAliases] IReadOnlyList<string>? Aliases,
    bool? Global);

/// <param name="OrganizationId">Null for a global deployment.</param>
public sealed record DeploymentResponse(
    Guid Id,
    Guid? OrganizationId,
    bool Global,
    Guid ProviderId,
    string Model,
    string UpstreamModel,
    decimal InputPricePer1M,
    decimal OutputPricePer1M,
    int? ContextWindow,
    IReadOnlyList<string> Aliases,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The organization's deployments and the global ones, by model.</summary>
public sealed record DeploymentListResponse(IReadOnlyList<DeploymentResponse> Items);
