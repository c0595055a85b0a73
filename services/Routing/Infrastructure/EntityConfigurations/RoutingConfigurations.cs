using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Infrastructure.EntityConfigurations;

internal sealed class ProviderConfiguration : IEntityTypeConfiguration<Provider>
{
    public void Configure(EntityTypeBuilder<Provider> builder)
    {
        builder.ToTable("Providers", t => t.HasCheckConstraint("CK_Providers_Kind",
            "\"Kind\" IN ('openai-compatible', 'anthropic', 'azure-openai')"));
        builder.Property(p => p.Name).HasMaxLength(100).IsRequired();
        builder.Property(p => p.Kind).HasMaxLength(32).IsRequired();
        builder.Property(p => p.BaseUrl).HasMaxLength(2048).IsRequired();
        builder.Property(p => p.ApiVersion).HasMaxLength(32);
        builder.HasIndex(p => p.OrganizationId);
        // Deleting a provider soft-deletes its deployments (the shared interceptor follows Cascade navigations).
        builder.HasMany(p => p.Deployments).WithOne(d => d.Provider).HasForeignKey(d => d.ProviderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeploymentConfiguration : IEntityTypeConfiguration<Deployment>
{
    public void Configure(EntityTypeBuilder<Deployment> builder)
    {
        builder.ToTable("Deployments");
        builder.Property(d => d.Model).HasMaxLength(200).IsRequired();
        builder.Property(d => d.UpstreamModel).HasMaxLength(200).IsRequired();
        builder.Property(d => d.InputPricePer1M).HasPrecision(18, 9);
        builder.Property(d => d.OutputPricePer1M).HasPrecision(18, 9);
        builder.Property(d => d.Aliases).HasColumnType("text[]");
        builder.HasIndex(d => new { d.OrganizationId, d.Model });
    }
}

internal sealed class RoutingStrategyConfiguration : IEntityTypeConfiguration<RoutingStrategy>
{
    public void Configure(EntityTypeBuilder<RoutingStrategy> builder)
    {
        builder.ToTable("RoutingStrategies", t => t.HasCheckConstraint("CK_RoutingStrategies_Type",
            "\"Type\" IN ('miser', 'cost', 'performance', 'balanced')"));
        builder.Property(s => s.Type).HasMaxLength(32).IsRequired();
        builder.Property(s => s.MaxCostPer1M).HasPrecision(18, 9);
        builder.Property(s => s.BaselineModel).HasMaxLength(200);
        builder.HasIndex(s => s.OrganizationId).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
    }
}

internal sealed class ProviderHealthStatusConfiguration : IEntityTypeConfiguration<ProviderHealthStatus>
{
    public void Configure(EntityTypeBuilder<ProviderHealthStatus> builder)
    {
        builder.ToTable("ProviderHealthStatus");
        builder.HasKey(h => h.ProviderId);
        builder.Property(h => h.CircuitState).HasMaxLength(16).IsRequired();
    }
}
