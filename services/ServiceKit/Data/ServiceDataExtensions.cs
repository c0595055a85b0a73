using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Synaxis.ServiceKit.Data;

public static class ServiceDataExtensions
{
    /// <summary>Connection name of the one PostgreSQL database every service shares.</summary>
    public const string DatabaseConnectionName = "synaxis";

    /// <summary>Connection name of Redis (key cache, limiter counters, event streams, backplane).</summary>
    public const string RedisConnectionName = "redis";

    /// <summary>
    /// Wires a service to its own schema of the shared database (with the migrations history table in
    /// that schema, so services never fight over one history table), migrates it at startup, and
    /// connects Redis. The Aspire integrations register the database and Redis readiness checks that
    /// <c>/health</c> reports.
    /// </summary>
    public static IHostApplicationBuilder AddServiceData<TContext>(this IHostApplicationBuilder builder, string schema)
        where TContext : DbContext
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IActorAccessor, HttpContextActorAccessor>();
        builder.Services.TryAddSingleton<AuditingInterceptor>();

        // Aspire's integration pools the context; the interceptor is a singleton so pooling stays possible.
        builder.Services.AddDbContextPool<TContext>((services, options) => options
            .UseNpgsql(
                builder.Configuration.GetConnectionString(DatabaseConnectionName),
                npgsql => npgsql.MigrationsHistoryTable(HistoryRepository.DefaultTableName, schema))
            .AddInterceptors(services.GetRequiredService<AuditingInterceptor>()));
        builder.EnrichNpgsqlDbContext<TContext>();
        builder.Services.AddMigration<TContext>();
        builder.AddSynaxisRedis();
        return builder;
    }

    /// <summary>
    /// Connects Redis (<see cref="RedisConnectionName"/>) with its readiness check; its command tracing follows
    /// <see cref="Microsoft.Extensions.Hosting.Extensions.CollectsTelemetry"/> (without an exporter nobody reads it).
    /// </summary>
    public static IHostApplicationBuilder AddSynaxisRedis(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient(RedisConnectionName, settings => settings.DisableTracing |= !builder.CollectsTelemetry());
        return builder;
    }
}
