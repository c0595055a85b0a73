using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Synaxis.Audit.Model;

namespace Synaxis.Audit.Infrastructure.EntityConfigurations;

/// <summary>
/// <c>Logs</c> is a partitioned table, which EF cannot create: the migration does in SQL (<c>PARTITION BY RANGE
/// ("PartitionDate")</c>), and EF maps it for queries only. The column names and types here must match that SQL.
/// </summary>
internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public const string Table = "Logs";

    public void Configure(EntityTypeBuilder<AuditLog> builder)
    {
        builder.ToTable(Table, t => t.ExcludeFromMigrations());
        builder.HasKey(l => new { l.PartitionDate, l.Id });
        builder.Property(l => l.Id).ValueGeneratedNever();
        builder.Property(l => l.PreviousValues).HasColumnType("jsonb");
        builder.Property(l => l.NewValues).HasColumnType("jsonb");
        builder.Property(l => l.Hash).HasColumnType("bytea");
        builder.Property(l => l.PreviousHash).HasColumnType("bytea");
    }
}

/// <summary><c>UsageRecords</c>: partitioned like <c>Logs</c>, created by the migration's SQL.</summary>
internal sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public const string Table = "UsageRecords";

    public void Configure(EntityTypeBuilder<UsageRecord> builder)
    {
        builder.ToTable(Table, t => t.ExcludeFromMigrations());
        builder.HasKey(u => new { u.PartitionDate, u.Id });
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.CostUsd).HasPrecision(18, 9);
        builder.Property(u => u.MoneySavedUsd).HasPrecision(18, 9);
    }
}

internal sealed class ChainHeadConfiguration : IEntityTypeConfiguration<ChainHead>
{
    public void Configure(EntityTypeBuilder<ChainHead> builder)
    {
        builder.ToTable("ChainHeads");
        builder.HasKey(h => h.OrganizationId);
        builder.Property(h => h.OrganizationId).ValueGeneratedNever();
    }
}

internal sealed class ChainCheckpointConfiguration : IEntityTypeConfiguration<ChainCheckpoint>
{
    public void Configure(EntityTypeBuilder<ChainCheckpoint> builder)
    {
        builder.ToTable("ChainCheckpoints");
        builder.HasKey(c => new { c.OrganizationId, c.Sequence });
        builder.Property(c => c.Reason).HasMaxLength(32);
    }
}

internal sealed class OrganizationRetentionConfiguration : IEntityTypeConfiguration<OrganizationRetention>
{
    public void Configure(EntityTypeBuilder<OrganizationRetention> builder)
    {
        builder.ToTable("OrganizationRetention");
        builder.HasKey(r => r.OrganizationId);
        builder.Property(r => r.OrganizationId).ValueGeneratedNever();
    }
}
