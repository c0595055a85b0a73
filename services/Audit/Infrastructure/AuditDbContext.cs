using Microsoft.EntityFrameworkCore;
using Synaxis.Audit.Infrastructure.EntityConfigurations;
using Synaxis.Audit.Model;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Audit.Infrastructure;

/// <summary>The Audit service's data: everything lives in the <c>audit</c> schema of the shared database.</summary>
public sealed class AuditDbContext(DbContextOptions<AuditDbContext> options) : DbContext(options)
{
    public const string Schema = "audit";

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    /// <summary>Partitioned by date; created by the migration's SQL, never by EF (see <see cref="AuditLogConfiguration"/>).</summary>
    public DbSet<AuditLog> Logs => Set<AuditLog>();

    /// <summary>Partitioned by date; created by the migration's SQL, never by EF.</summary>
    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();

    public DbSet<ChainHead> ChainHeads => Set<ChainHead>();

    public DbSet<ChainCheckpoint> ChainCheckpoints => Set<ChainCheckpoint>();

    public DbSet<OrganizationRetention> OrganizationRetention => Set<OrganizationRetention>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
        modelBuilder.ApplyConfiguration(new AuditLogConfiguration());
        modelBuilder.ApplyConfiguration(new UsageRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ChainHeadConfiguration());
        modelBuilder.ApplyConfiguration(new ChainCheckpointConfiguration());
        modelBuilder.ApplyConfiguration(new OrganizationRetentionConfiguration());
    }
}
