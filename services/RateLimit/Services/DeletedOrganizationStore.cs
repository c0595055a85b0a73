using Microsoft.EntityFrameworkCore;
using Synaxis.RateLimit.Infrastructure;

namespace Synaxis.RateLimit.Services;

/// <summary>Organizations Identity deleted, kept from its events (see <see cref="Model.DeletedOrganization"/>).</summary>
public sealed class DeletedOrganizationStore(RateLimitDbContext db)
{
    /// <summary>Whether Identity deleted the organization (see <see cref="Model.DeletedOrganization"/>).</summary>
    public Task<bool> IsOrganizationDeletedAsync(Guid organizationId, CancellationToken cancellationToken) =>
        db.DeletedOrganizations.AsNoTracking().AnyAsync(o => o.OrganizationId == organizationId, cancellationToken);

    /// <summary>Records the organization as deleted (idempotent), in the caller's transaction.</summary>
    public Task RecordAsync(Guid organizationId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO ratelimit."DeletedOrganizations" ("OrganizationId", "DeletedAt") VALUES ({organizationId}, {deletedAt.ToUniversalTime()})
            ON CONFLICT ("OrganizationId") DO NOTHING
            """, cancellationToken);
}
