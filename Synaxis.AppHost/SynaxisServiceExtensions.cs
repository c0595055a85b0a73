using Microsoft.Extensions.Configuration;

namespace Synaxis.AppHost;

internal static class SynaxisServiceExtensions
{
    /// <summary>
    /// What every Synaxis project resource gets: an HTTP endpoint, readiness from its own
    /// <c>/health</c>, and in a local run the AppHost's environment name (so Development turns on the
    /// Scalar UI and the first-run defaults).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSynaxisDefaults(
        this IResourceBuilder<ProjectResource> project, int? port = null)
    {
        project.WithHttpEndpoint(port: port, name: "http")
            .WithHttpHealthCheck("/health");
        var builder = project.ApplicationBuilder;
        if (builder.ExecutionContext.IsRunMode)
        {
            project.WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName);
        }
        return project;
    }

    /// <summary>
    /// A service behind the gateway: it owns a schema in the shared database, uses Redis, and verifies
    /// the caller identity the gateway signs with <paramref name="internalIdentityKey"/>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBackingServices(
        this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<IResourceWithConnectionString> database,
        IResourceBuilder<IResourceWithConnectionString> redis,
        IResourceBuilder<ParameterResource> internalIdentityKey) =>
        project
            .WithReference(database).WaitFor(database)
            .WithReference(redis).WaitFor(redis)
            .WithEnvironment("InternalIdentity__SigningKey", internalIdentityKey);

    /// <summary>The gateway's port: 5080 unless configured; 0 lets the AppHost pick a free one (tests).</summary>
    public static int? GatewayPort(this IDistributedApplicationBuilder builder) =>
        builder.Configuration.GetValue<int?>("Synaxis:GatewayPort") is { } port and > 0 ? port : null;
}
