using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Audit.Infrastructure;

/// <summary>The Audit service's data: everything lives in the <c>audit</c> schema of the shared database.</summary>
public sealed class AuditDbContext(DbContextOptions<AuditDbContext> options) : DbContext(options)
{
    public const string Schema = "audit";

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
    }
}
