using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Synaxis.AppHost.Infrastructure;

/// <summary>The two connection-string resources every service references.</summary>
public sealed record SynaxisInfrastructure(
    InfrastructureMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis);

public static class SynaxisInfrastructureExtensions
{
    public const string PostgresName = "postgres";
    public const string DatabaseName = "synaxis";
    public const string RedisName = "redis";

    /// <summary>
    /// Adds PostgreSQL (with the <c>synaxis</c> database) and Redis, as containers or as this
    /// machine's binaries (see <see cref="InfrastructureModeResolver"/>). Either way the resource names
    /// and connection strings are the same, so nothing downstream changes.
    /// </summary>
    public static SynaxisInfrastructure AddSynaxisInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = InfrastructureModeResolver.Resolve(
            builder.Configuration[InfrastructureModeResolver.SettingKey],
            builder.ExecutionContext.IsPublishMode,
            () => ContainerRuntimeProbe.IsHealthy(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]));

        return mode == InfrastructureMode.Containers ? builder.AddContainerInfrastructure() : builder.AddLocalInfrastructure();
    }

    private static SynaxisInfrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres(PostgresName)
            .WithDataVolume()
            .WithLifetime(ContainerLifetime.Persistent);
        var redis = builder.AddRedis(RedisName)
            .WithDataVolume()
            .WithLifetime(ContainerLifetime.Persistent);
        return new(InfrastructureMode.Containers, postgres.AddDatabase(DatabaseName), redis);
    }

    private static SynaxisInfrastructure AddLocalInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var dataRoot = LocalDataDirectory.Resolve(
            builder.Configuration[LocalDataDirectory.SettingKey],
            isRoot: Environment.UserName == "root",
            xdgDataHome: Environment.GetEnvironmentVariable("XDG_DATA_HOME"),
            homeDirectory: Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        var secrets = Path.Combine(dataRoot, "secrets");
        var scripts = Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts");

        var postgresPassword = builder.AddParameter(
            "postgres-password", LocalDataDirectory.ReadOrCreateSecret(secrets, "postgres-password"), secret: true);
        var server = builder.AddResource(new LocalPostgresServerResource(PostgresName, scripts, postgresPassword.Resource))
            .WithArgs(
                Path.Combine(scripts, "postgres-local.sh"),
                Path.Combine(dataRoot, "postgres"),
                Path.Combine(secrets, "postgres-password"),
                DatabaseName)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp", env: "PORT", isProxied: false)
            .WithReadinessCheck(resource => new PostgresReadinessCheck(resource));

        var database = builder.AddResource(new LocalPostgresDatabaseResource(DatabaseName, DatabaseName, server.Resource))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithReadinessCheck(resource => new PostgresReadinessCheck(resource));

        // The database has no process of its own: it is running once its server is ready.
        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (@event, _) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            await notifications.PublishUpdateAsync(database.Resource, snapshot => snapshot with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });

        var redisPassword = builder.AddParameter(
            "redis-password", LocalDataDirectory.ReadOrCreateSecret(secrets, "redis-password"), secret: true);
        var redis = builder.AddResource(new LocalRedisResource(RedisName, scripts, redisPassword.Resource))
            .WithArgs(
                Path.Combine(scripts, "redis-local.sh"),
                Path.Combine(dataRoot, "redis"),
                Path.Combine(secrets, "redis-password"))
            .WithEndpoint(name: LocalRedisResource.EndpointName, scheme: "tcp", env: "PORT", isProxied: false)
            .WithReadinessCheck(resource => new RedisReadinessCheck(resource));

        return new(InfrastructureMode.Local, database, redis);
    }

    private static IResourceBuilder<T> WithReadinessCheck<T>(this IResourceBuilder<T> builder, Func<T, IHealthCheck> createCheck)
        where T : IResource
    {
        var key = $"{builder.Resource.Name}-ready";
        var resource = builder.Resource;
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => createCheck(resource), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}
