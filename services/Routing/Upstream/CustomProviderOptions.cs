namespace Synaxis.Routing.Upstream;

/// <summary>Section <c>Routing:CustomProviders</c>: what an organization's own providers may point at.</summary>
public sealed class CustomProviderOptions
{
    public const string SectionName = "Routing:CustomProviders";

    /// <summary>
    /// Lets organizations' providers be on loopback, private, link-local or otherwise non-public addresses. Off by
    /// default, and it must stay off wherever organizations are not trusted with this network: Routing relays what the
    /// provider answers, so such a provider reads internal HTTP services (the cloud's metadata included). On in
    /// Development (appsettings.Development.json), where a user registers the Ollama on their own machine. Global
    /// providers are never restricted.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}
