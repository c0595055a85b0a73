using Synaxis.ServiceKit.Data;

namespace Synaxis.Routing.Model;

/// <summary>
/// A model served by a provider: the public name clients ask for (<see cref="Model"/>, or one of its
/// <see cref="Aliases"/>), the provider's own name for it, and its prices per 1M tokens.
/// </summary>
public sealed class Deployment : Entity
{
    /// <summary>Null: global (on a global provider). An organization's deployment may use a global provider.</summary>
    public Guid? OrganizationId { get; set; }

    public Guid ProviderId { get; set; }

    public Provider? Provider { get; set; }

    /// <summary>The public model name, e.g. <c>llama-3.3-70b</c>.</summary>
    public string Model { get; set; } = "";

    public string UpstreamModel { get; set; } = "";

    public decimal InputPricePer1M { get; set; }

    public decimal OutputPricePer1M { get; set; }

    public int? ContextWindow { get; set; }

    /// <summary>Other public names that resolve to this deployment (e.g. <c>miser-fast</c>).</summary>
    public List<string> Aliases { get; set; } = [];
}
