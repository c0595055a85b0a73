using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Synaxis.Keys.Model;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Infrastructure.EntityConfigurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.Ignore(k => k.Prefix);
        builder.Ignore(k => k.IsRevoked);
        builder.Property(k => k.Version).IsRowVersion();
        builder.Property(k => k.KeyId).HasMaxLength(ApiKeyFormat.IdLength).IsRequired();
        builder.Property(k => k.SecretHash).HasMaxLength(Limits.SecretHashLength).IsRequired();
        builder.Property(k => k.Name).HasMaxLength(Limits.NameLength).IsRequired();
        builder.Property(k => k.Scopes).HasColumnType("text[]").IsRequired();
        builder.Property(k => k.AllowedModels).HasColumnType("text[]");

        // Verification looks keys up by the id part of the presented key: one index probe, then bcrypt.
        // Unique across deleted rows too: an id is never reused.
        builder.HasIndex(k => k.KeyId).IsUnique();
        builder.HasIndex(k => new { k.OrganizationId, k.UserId });
        // The list's keyset order (newest first), read backwards.
        builder.HasIndex(k => new { k.OrganizationId, k.CreatedAt, k.Id });
        // The expiry sweep reads keys that just expired.
        builder.HasIndex(k => k.ExpiresAt).HasFilter("\"ExpiresAt\" IS NOT NULL AND \"RevokedAt\" IS NULL");
    }
}

internal sealed class KnownGroupConfiguration : IEntityTypeConfiguration<KnownGroup>
{
    public void Configure(EntityTypeBuilder<KnownGroup> builder)
    {
        builder.ToTable("Groups");
        // A group id is Identity's, unique everywhere: the upserts' conflict target, and the lookup on create.
        builder.HasIndex(g => g.GroupId).IsUnique();
        builder.HasIndex(g => g.OrganizationId);
    }
}
