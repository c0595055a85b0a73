using Synaxis.ServiceKit.Membership;
using Microsoft.EntityFrameworkCore;
using Synaxis.Keys.Model;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Keys.Infrastructure;

/// <summary>The Keys service's data: everything lives in the <c>keys</c> schema of the shared database.</summary>
public sealed class KeysDbContext(DbContextOptions<KeysDbContext> options) : DbContext(options)
{
    public const string Schema = "keys";

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<MemberRole> MemberRoles => Set<MemberRole>();

    public DbSet<KnownGroup> Groups => Set<KnownGroup>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KeysDbContext).Assembly);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
        modelBuilder.ApplyConfiguration(new ProcessedEventConfiguration());
        modelBuilder.ApplyConfiguration(new MemberRoleConfiguration());
        modelBuilder.ApplySoftDeleteQueryFilters();
    }
}
