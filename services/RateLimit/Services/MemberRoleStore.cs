using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Synaxis.RateLimit.Infrastructure;

namespace Synaxis.RateLimit.Services;

/// <summary>
/// The RateLimit service's copy of members' roles (see <see cref="Model.MemberRole"/>). Deliberately the same
/// as the Keys service's store: each service keeps its own copy of what it needs from Identity's events.
/// </summary>
public sealed class MemberRoleStore(RateLimitDbContext db, TimeProvider time)
{
    /// <summary>
    /// What this service knows of the member: <c>Known</c> false when no event about them has arrived yet;
    /// known with a null role when they left the organization or it was deleted.
    /// </summary>
    public async Task<(bool Known, string? Role)> GetStateAsync(Guid organizationId, Guid userId, CancellationToken cancellationToken)
    {
        var row = await db.MemberRoles.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.UserId == userId)
            .Select(m => new { m.Role })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? (false, null) : (true, row.Role);
    }

    /// <summary>Stores the role if <paramref name="asOf"/> is newer than what is stored. In the caller's transaction, if any.</summary>
    /// <returns>1 when the role was stored (newer than what was known), else 0.</returns>
    public Task<int> SetAsync(Guid organizationId, Guid userId, string? role, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var roleParameter = new NpgsqlParameter("role", NpgsqlDbType.Varchar) { Value = (object?)role ?? DBNull.Value };
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO ratelimit."MemberRoles" ("Id", "OrganizationId", "UserId", "Role", "RoleAsOf", "CreatedAt", "UpdatedAt")
            VALUES ({Guid.CreateVersion7()}, {organizationId}, {userId}, {roleParameter}, {asOf.ToUniversalTime()}, {now}, {now})
            ON CONFLICT ("OrganizationId", "UserId") DO UPDATE
            SET "Role" = EXCLUDED."Role", "RoleAsOf" = EXCLUDED."RoleAsOf", "UpdatedAt" = EXCLUDED."UpdatedAt"
            WHERE "MemberRoles"."RoleAsOf" < EXCLUDED."RoleAsOf"
            """, cancellationToken);
    }

    /// <summary>Whether Identity deleted the organization (see <see cref="Model.DeletedOrganization"/>).</summary>
    public Task<bool> IsOrganizationDeletedAsync(Guid organizationId, CancellationToken cancellationToken) =>
        db.DeletedOrganizations.AsNoTracking().AnyAsync(o => o.OrganizationId == organizationId, cancellationToken);

    /// <summary>Records the organization as deleted; every member loses their role there (unless a newer event says otherwise).</summary>
    public async Task ForgetOrganizationAsync(Guid organizationId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var utc = asOf.ToUniversalTime();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ratelimit."DeletedOrganizations" ("OrganizationId", "DeletedAt") VALUES ({organizationId}, {utc})
            ON CONFLICT ("OrganizationId") DO NOTHING
            """, cancellationToken);
        await db.MemberRoles
            .Where(m => m.OrganizationId == organizationId && m.RoleAsOf < utc)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, (string?)null).SetProperty(m => m.RoleAsOf, utc).SetProperty(m => m.UpdatedAt, now),
                cancellationToken);
    }
}
