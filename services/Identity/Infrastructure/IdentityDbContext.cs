using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Infrastructure;

/// <summary>The Identity service's data: everything lives in the <c>identity</c> schema of the shared database.</summary>
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    public const string Schema = "identity";

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
    }
}
