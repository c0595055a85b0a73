using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Keys.Infrastructure;

/// <summary>The Keys service's data: everything lives in the <c>keys</c> schema of the shared database.</summary>
public sealed class KeysDbContext(DbContextOptions<KeysDbContext> options) : DbContext(options)
{
    public const string Schema = "keys";

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
    }
}
