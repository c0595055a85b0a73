namespace Synaxis.Routing.Security;

/// <summary>
/// The users who manage global providers and deployments (those every organization sees), from
/// <c>Routing:PlatformAdministrators</c> (an array of user ids). Empty: nobody can change the global catalog
/// through the API.
/// </summary>
public sealed class PlatformAdministratorOptions
{
    public const string SectionName = "Routing";

    public IReadOnlyList<Guid> PlatformAdministrators { get; set; } = [];
}
