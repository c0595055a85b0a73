using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
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
        builder.AddNpgsqlDbContext<TContext>(
            DatabaseConnectionName,
            configureDbContextOptions: options => options.UseNpgsql(npgsql =>
                npgsql.MigrationsHistoryTable(HistoryRepository.DefaultTableName, schema)));
        builder.Services.AddMigration<TContext>();
        builder.AddRedisClient(RedisConnectionName);
        return builder;
    }
}
