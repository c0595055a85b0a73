using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Synaxis.ServiceKit.Data;

public sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("Outbox");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Type).HasMaxLength(128).IsRequired();
        builder.Property(m => m.Payload).HasColumnType("jsonb").IsRequired();
        // The relay scans only unpublished rows, oldest first.
        builder.HasIndex(m => m.CreatedAt)
            .HasFilter("\"PublishedAt\" IS NULL")
            .HasDatabaseName("IX_Outbox_Unpublished");
    }
}
