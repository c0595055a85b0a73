using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Routing.Infrastructure;

/// <summary>The Routing service's data: everything lives in the <c>routing</c> schema of the shared database.</summary>
public sealed class RoutingDbContext(DbContextOptions<RoutingDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string Schema = "routing";

    public DbSet<Provider> Providers => Set<Provider>();

    public DbSet<Deployment> Deployments => Set<Deployment>();

    public DbSet<RoutingStrategy> RoutingStrategies => Set<RoutingStrategy>();

    public DbSet<ProviderHealthStatus> ProviderHealth => Set<ProviderHealthStatus>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();

    /// <summary>Data Protection's key ring, shared by every Routing instance (so each can decrypt provider keys).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RoutingDbContext).Assembly);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
        modelBuilder.ApplyConfiguration(new ProcessedEventConfiguration());
        modelBuilder.ApplySoftDeleteQueryFilters();
    }
}
