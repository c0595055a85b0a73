using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace Synaxis.AppHost.Infrastructure;

/// <summary>
/// Real readiness for local executables: without these, <c>WaitFor</c> would release the services as
/// soon as the process starts, long before it accepts connections.
/// </summary>
internal sealed class PostgresReadinessCheck(IResourceWithConnectionString database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken);
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}

internal sealed class RedisReadinessCheck(IResourceWithConnectionString redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken);
            var options = ConfigurationOptions.Parse(connectionString!);
            options.AbortOnConnectFail = true;
            options.ConnectTimeout = 5000;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException or ArgumentException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
