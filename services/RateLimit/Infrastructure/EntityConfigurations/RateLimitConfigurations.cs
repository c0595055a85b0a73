using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Synaxis.RateLimit.Model;

namespace Synaxis.RateLimit.Infrastructure.EntityConfigurations;

internal sealed class RateLimitPolicyConfiguration : IEntityTypeConfiguration<RateLimitPolicy>
{
    public void Configure(EntityTypeBuilder<RateLimitPolicy> builder)
    {
        builder.ToTable("Policies", t => t.HasCheckConstraint("CK_Policies_Scope",
            "\"Scope\" IN ('organization', 'group', 'user', 'key')"));
        builder.Property(p => p.Version).IsRowVersion();
        builder.Property(p => p.Scope).HasMaxLength(Limits.ScopeLength).IsRequired();
        builder.Property(p => p.MonthlyBudgetUsd).HasPrecision(18, Limits.BudgetDecimals);
        // One live policy per level; deleted rows stay as history and do not block a new one.
        builder.HasIndex(p => new { p.OrganizationId, p.Scope, p.ScopeId })
            .IsUnique()
            .HasFilter("\"DeletedAt\" IS NULL");
    }
}

internal sealed class DeletedOrganizationConfiguration : IEntityTypeConfiguration<DeletedOrganization>
{
    public void Configure(EntityTypeBuilder<DeletedOrganization> builder)
    {
        builder.ToTable("DeletedOrganizations");
        builder.HasKey(o => o.OrganizationId);
    }
}
