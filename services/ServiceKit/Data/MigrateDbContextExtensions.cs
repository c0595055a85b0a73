using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Synaxis.ServiceKit.Data;

/// <summary>
/// Applies a service's EF Core migrations when it starts (eShop's MigrateDbContext pattern). The work
/// runs inside the provider's execution strategy so a database that is still coming up is retried
/// rather than failing the service.
/// </summary>
public static class MigrateDbContextExtensions
{
    private static readonly ActivitySource ActivitySource = new("Synaxis.Migrations");

    public static IServiceCollection AddMigration<TContext>(this IServiceCollection services)
        where TContext : DbContext
        => services.AddMigration<TContext>((_, _, _) => Task.CompletedTask);

    /// <param name="seeder">Runs after the migration, in the same execution-strategy attempt.</param>
    public static IServiceCollection AddMigration<TContext>(
        this IServiceCollection services,
        Func<TContext, IServiceProvider, CancellationToken, Task> seeder)
        where TContext : DbContext
    {
        return services.AddHostedService(sp => new MigrationHostedService<TContext>(sp, seeder));
    }

    private static async Task MigrateAsync<TContext>(
        IServiceProvider services,
        Func<TContext, IServiceProvider, CancellationToken, Task> seeder,
        CancellationToken cancellationToken)
        where TContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        var scopeServices = scope.ServiceProvider;
        var logger = scopeServices.GetRequiredService<ILogger<TContext>>();
        var context = scopeServices.GetRequiredService<TContext>();

        using var activity = ActivitySource.StartActivity($"Migrating {typeof(TContext).Name}");
        try
        {
            logger.LogInformation("Migrating database for {DbContext}", typeof(TContext).Name);
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async ct =>
            {
                await context.Database.MigrateAsync(ct);
                await seeder(context, scopeServices, ct);
            }, cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.AddException(ex);
            logger.LogError(ex, "Migrating the database for {DbContext} failed", typeof(TContext).Name);
            throw;
        }
    }

    private sealed class MigrationHostedService<TContext>(
        IServiceProvider services,
        Func<TContext, IServiceProvider, CancellationToken, Task> seeder) : IHostedService
        where TContext : DbContext
    {
        // Migrating in StartAsync (not a BackgroundService) keeps the service from answering
        // requests against a schema that does not exist yet.
        public Task StartAsync(CancellationToken cancellationToken) => MigrateAsync(services, seeder, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
