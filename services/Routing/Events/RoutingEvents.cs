using System.Text.Json;
using System.Text.Json.Serialization;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Events;

/// <summary>The catalog events Routing publishes on <c>synaxis:events</c>, and the Identity event it consumes.</summary>
public static class RoutingEventTypes
{
    public const string ProviderCreated = "ProviderCreated";
    public const string ProviderUpdated = "ProviderUpdated";

    /// <summary>Also written for each of its deployments (as <see cref="DeploymentDeleted"/>), which go with it.</summary>
    public const string ProviderDeleted = "ProviderDeleted";

    public const string DeploymentCreated = "DeploymentCreated";
    public const string DeploymentUpdated = "DeploymentUpdated";
    public const string DeploymentDeleted = "DeploymentDeleted";

    /// <summary>An organization's strategy was set, changed, or removed with its organization.</summary>
    public const string RoutingStrategyChanged = "RoutingStrategyChanged";

    // Identity's, consumed here.
    public const string OrganizationDeleted = "OrganizationDeleted";
}

/// <summary>A provider as events describe it: whether it has an API key, never the key (encrypted or not).</summary>
public sealed record ProviderSnapshot(
    Guid Id,
    Guid? OrganizationId,
    string Name,
    string Kind,
    string BaseUrl,
    string? ApiVersion,
    bool HasApiKey,
    bool IsFree,
    int? FreeRequestsPerMinute,
    int? FreeRequestsPerDay,
    int? FreeTokensPerMinute,
    bool Enabled)
{
    public static ProviderSnapshot Of(Provider p) => new(
        p.Id, p.OrganizationId, p.Name, p.Kind, p.BaseUrl, p.ApiVersion, p.ProtectedApiKey is not null, p.IsFree,
        p.FreeRequestsPerMinute, p.FreeRequestsPerDay, p.FreeTokensPerMinute, p.Enabled);
}

public sealed record DeploymentSnapshot(
    Guid Id,
    Guid? OrganizationId,
    Guid ProviderId,
    string Model,
    string UpstreamModel,
    decimal InputPricePer1M,
    decimal OutputPricePer1M,
    int? ContextWindow,
    IReadOnlyList<string> Aliases)
{
    public static DeploymentSnapshot Of(Deployment d) => new(
        d.Id, d.OrganizationId, d.ProviderId, d.Model, d.UpstreamModel, d.InputPricePer1M, d.OutputPricePer1M, d.ContextWindow, [.. d.Aliases]);

    /// <summary>Value equality, aliases included (records compare lists by reference).</summary>
    public bool SameAs(DeploymentSnapshot other) => this with { Aliases = [] } == other with { Aliases = [] } && Aliases.SequenceEqual(other.Aliases);
}

public sealed record StrategySnapshot(string Type, bool AllowPaidFallback, decimal? MaxCostPer1M, double? MinHealthScore)
{
    public static StrategySnapshot Of(RoutingStrategy s) => new(s.Type, s.AllowPaidFallback, s.MaxCostPer1M, s.MinHealthScore);
}

/// <param name="Before">Null when created.</param>
/// <param name="After">Null when deleted.</param>
/// <param name="ApiKeyChanged">The API key was set, replaced or removed (its value is never in an event).</param>
public sealed record ProviderChangedData(ProviderSnapshot? Before, ProviderSnapshot? After, bool ApiKeyChanged = false);

/// <param name="Before">Null when created.</param>
/// <param name="After">Null when deleted.</param>
public sealed record DeploymentChangedData(DeploymentSnapshot? Before, DeploymentSnapshot? After);

/// <param name="Before">Null when the organization had none (it routed with the default).</param>
/// <param name="After">Null when it was removed (with its organization).</param>
public sealed record RoutingStrategyChangedData(Guid OrganizationId, StrategySnapshot? Before, StrategySnapshot? After);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProviderChangedData))]
[JsonSerializable(typeof(DeploymentChangedData))]
[JsonSerializable(typeof(RoutingStrategyChangedData))]
internal sealed partial class RoutingEventsJsonContext : JsonSerializerContext;
