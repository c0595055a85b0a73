using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Synaxis.Identity.Model;

namespace Synaxis.Identity.Infrastructure.EntityConfigurations;

internal sealed class UserOrganizationMembershipConfiguration : IEntityTypeConfiguration<UserOrganizationMembership>
{
    public void Configure(EntityTypeBuilder<UserOrganizationMembership> builder)
    {
        builder.ToTable("UserOrganizationMemberships");
        builder.Property(m => m.Role).HasMaxLength(16);
        builder.HasIndex(m => new { m.OrganizationId, m.UserId }).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        builder.HasIndex(m => m.UserId);
        builder.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class UserGroupMembershipConfiguration : IEntityTypeConfiguration<UserGroupMembership>
{
    public void Configure(EntityTypeBuilder<UserGroupMembership> builder)
    {
        builder.ToTable("UserGroupMemberships");
        builder.HasIndex(m => new { m.GroupId, m.UserId }).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        builder.HasIndex(m => new { m.OrganizationId, m.UserId });
        builder.HasOne<SynaxisUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        builder.ToTable("RefreshTokens");
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.FamilyId);
        builder.HasOne<SynaxisUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
