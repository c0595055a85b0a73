namespace Synaxis.AppHost.Infrastructure;

/// <summary>Where Postgres and Redis come from.</summary>
public enum InfrastructureMode
{
    /// <summary><c>AddPostgres</c>/<c>AddRedis</c> containers: publishing, or a healthy container runtime.</summary>
    Containers,

    /// <summary>The machine's own <c>postgres</c> and <c>redis-server</c> binaries as executable resources.</summary>
    Local,
}

public static class InfrastructureModeResolver
{
    /// <summary>Configuration key that forces a mode: <c>containers</c>, <c>local</c> or <c>auto</c>.</summary>
    public const string SettingKey = "Synaxis:Infrastructure";

    /// <summary>
    /// Publishing always describes containers (a Kubernetes manifest cannot run this machine's
    /// binaries). Otherwise an explicit setting wins, and <c>auto</c> (or no setting) asks whether a
    /// container runtime is healthy — asked lazily, because the probe starts a process.
    /// </summary>
    public static InfrastructureMode Resolve(string? setting, bool isPublishMode, Func<bool> containerRuntimeIsHealthy)
    {
        if (isPublishMode)
        {
            return InfrastructureMode.Containers;
        }

        return setting?.Trim().ToLowerInvariant() switch
        {
            "containers" or "container" => InfrastructureMode.Containers,
            "local" => InfrastructureMode.Local,
            null or "" or "auto" => containerRuntimeIsHealthy() ? InfrastructureMode.Containers : InfrastructureMode.Local,
            _ => throw new InvalidOperationException(
                $"'{SettingKey}' is '{setting}'; use 'containers', 'local' or 'auto'."),
        };
    }
}
