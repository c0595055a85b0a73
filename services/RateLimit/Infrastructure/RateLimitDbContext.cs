using Synaxis.ServiceKit.Membership;
using Microsoft.EntityFrameworkCore;
using Synaxis.RateLimit.Model;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;

namespace Synaxis.RateLimit.Infrastructure;

/// <summary>The RateLimit service's data: everything lives in the <c>ratelimit</c> schema of the shared database.</summary>
public sealed class RateLimitDbContext(DbContextOptions<RateLimitDbContext> options) : DbContext(options)
{
    public const string Schema = "ratelimit";

    public DbSet<RateLimitPolicy> Policies => Set<RateLimitPolicy>();

    public DbSet<MemberRole> MemberRoles => Set<MemberRole>();

    public DbSet<DeletedOrganization> DeletedOrganizations => Set<DeletedOrganization>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RateLimitDbContext).Assembly);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
        modelBuilder.ApplyConfiguration(new ProcessedEventConfiguration());
        modelBuilder.ApplyConfiguration(new MemberRoleConfiguration());
        modelBuilder.ApplySoftDeleteQueryFilters();
    }
}
