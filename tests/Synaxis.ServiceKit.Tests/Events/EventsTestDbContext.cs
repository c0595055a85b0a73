using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>A service's model as the event library expects it: the outbox, ProcessedEvents, and its own data.</summary>
public sealed class EventsTestDbContext(DbContextOptions<EventsTestDbContext> options) : DbContext(options)
{
    public const string Schema = "eventstest";

    public DbSet<Widget> Widgets => Set<Widget>();

    public DbSet<HandledEvent> HandledEvents => Set<HandledEvent>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();

    /// <summary>A context outside any host, for arranging and inspecting the database.</summary>
    public static EventsTestDbContext Open(string connectionString) =>
        new(new DbContextOptionsBuilder<EventsTestDbContext>().UseNpgsql(connectionString).Options);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
        modelBuilder.ApplyConfiguration(new ProcessedEventConfiguration());
        modelBuilder.Entity<Widget>(widget => widget.Property(w => w.Name).HasMaxLength(100));
        modelBuilder.Entity<HandledEvent>(handled => handled.Property(h => h.Type).HasMaxLength(128));
    }
}

/// <summary>The sample entity whose changes the events describe.</summary>
public sealed class Widget
{
    public Guid Id { get; set; }

    public required string Name { get; set; }
}

/// <summary>Written by <see cref="RecordingHandler"/>: what a handler's side effect in the consumer's transaction looks like.</summary>
public sealed class HandledEvent
{
    public Guid Id { get; set; }

    public Guid EventId { get; set; }

    public required string Type { get; set; }

    /// <summary>Which delivery of the event wrote this row.</summary>
    public int Attempt { get; set; }
}
