using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Synaxis.ServiceKit.Membership;

/// <summary>Table <c>MemberRoles</c> in the service's own schema.</summary>
public sealed class MemberRoleConfiguration : IEntityTypeConfiguration<MemberRole>
{
    public const int RoleLength = 16;

    public void Configure(EntityTypeBuilder<MemberRole> builder)
    {
        builder.ToTable("MemberRoles");
        builder.Property(m => m.Role).HasMaxLength(RoleLength);
        // The upsert's conflict target: one row per user and organization, kept (never soft-deleted).
        builder.HasIndex(m => new { m.OrganizationId, m.UserId }).IsUnique();
    }
}
