using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Routing.Infrastructure;

/// <summary>The Routing service's data: everything lives in the <c>routing</c> schema of the shared database.</summary>
public sealed class RoutingDbContext(DbContextOptions<RoutingDbContext> options) : DbContext(options)
{
    public const string Schema = "routing";

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
    }
}
