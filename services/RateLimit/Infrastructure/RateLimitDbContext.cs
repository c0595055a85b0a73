using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Data;

namespace Synaxis.RateLimit.Infrastructure;

/// <summary>The RateLimit service's data: everything lives in the <c>ratelimit</c> schema of the shared database.</summary>
public sealed class RateLimitDbContext(DbContextOptions<RateLimitDbContext> options) : DbContext(options)
{
    public const string Schema = "ratelimit";

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
    }
}
