using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Synaxis.Identity.Model;

namespace Synaxis.Identity.Infrastructure.EntityConfigurations;

/// <summary>
/// An organization owns its settings, groups and memberships: the Cascade behaviours below are what
/// the soft-delete interceptor follows when an organization is deleted.
/// </summary>
internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("Organizations");
        builder.Property(o => o.Name).HasMaxLength(Limits.NameLength);
        builder.HasOne(o => o.Settings).WithOne()
            .HasForeignKey<OrganizationSettings>(s => s.OrganizationId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(o => o.Groups).WithOne()
            .HasForeignKey(g => g.OrganizationId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(o => o.Memberships).WithOne(m => m.Organization)
            .HasForeignKey(m => m.OrganizationId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> builder)
    {
        builder.ToTable("Groups");
        builder.Property(g => g.Name).HasMaxLength(Limits.NameLength);
        builder.Property(g => g.Slug).HasMaxLength(Limits.SlugLength);
        // Unique among live groups only, so a deleted group's slug can be used again.
        builder.HasIndex(g => new { g.OrganizationId, g.Slug }).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        builder.HasMany(g => g.Memberships).WithOne(m => m.Group)
            .HasForeignKey(m => m.GroupId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OrganizationSettingsConfiguration : IEntityTypeConfiguration<OrganizationSettings>
{
    public void Configure(EntityTypeBuilder<OrganizationSettings> builder)
    {
        builder.ToTable("OrganizationSettings");
        builder.HasIndex(s => s.OrganizationId).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        builder.Property(s => s.RoutingStrategy).HasMaxLength(32);
        builder.Property(s => s.BaselineModel).HasMaxLength(Limits.ModelNameLength);
    }
}
