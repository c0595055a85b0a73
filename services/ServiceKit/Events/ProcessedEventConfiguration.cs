using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Synaxis.ServiceKit.Events;

/// <summary>Apply in the model of every service that consumes events (then add a migration).</summary>
public sealed class ProcessedEventConfiguration : IEntityTypeConfiguration<ProcessedEvent>
{
    public const int MaxConsumerGroupLength = 128;

    public void Configure(EntityTypeBuilder<ProcessedEvent> builder)
    {
        builder.ToTable("ProcessedEvents");
        builder.HasKey(e => new { e.EventId, e.ConsumerGroup });
        builder.Property(e => e.ConsumerGroup).HasMaxLength(MaxConsumerGroupLength).IsRequired();
        // For pruning old rows by age.
        builder.HasIndex(e => e.ProcessedAt);
    }
}
