using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Synaxis.Identity.Model;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Infrastructure;

/// <summary>The Identity service's data, all in the <c>identity</c> schema; ASP.NET Core Identity's stores included.</summary>
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options)
    : Microsoft.AspNetCore.Identity.EntityFrameworkCore.IdentityDbContext<SynaxisUser, SynaxisRole, Guid>(options)
{
    public const string Schema = "identity";

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Group> Groups => Set<Group>();

    public DbSet<UserOrganizationMembership> UserOrganizationMemberships => Set<UserOrganizationMembership>();

    public DbSet<UserGroupMembership> UserGroupMemberships => Set<UserGroupMembership>();

    public DbSet<OrganizationSettings> OrganizationSettings => Set<OrganizationSettings>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.HasDefaultSchema(Schema);
        RenameIdentityTables(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(IdentityDbContext).Assembly);
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
        modelBuilder.ApplySoftDeleteQueryFilters();
    }

    /// <summary>Plural table names, as every other table here, instead of Identity's AspNet* defaults.</summary>
    private static void RenameIdentityTables(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SynaxisUser>(user =>
        {
            user.ToTable("Users");
            user.Property(u => u.DisplayName).HasMaxLength(200);
        });
        modelBuilder.Entity<SynaxisRole>(role =>
        {
            role.ToTable("Roles");
            // Unique among live roles only, so a deleted role's name can be used again (as a group's slug).
            role.HasIndex(r => r.NormalizedName).HasDatabaseName("RoleNameIndex").IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        });
        modelBuilder.Entity<IdentityUserRole<Guid>>().ToTable("UserRoles");
        modelBuilder.Entity<IdentityUserClaim<Guid>>().ToTable("UserClaims");
        modelBuilder.Entity<IdentityUserLogin<Guid>>().ToTable("UserLogins");
        modelBuilder.Entity<IdentityUserToken<Guid>>().ToTable("UserTokens");
        modelBuilder.Entity<IdentityRoleClaim<Guid>>().ToTable("RoleClaims");
    }
}
