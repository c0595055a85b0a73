using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Synaxis.Keys.Infrastructure;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Services;

/// <summary>The Keys service's copy of members' roles (see <see cref="Model.MemberRole"/>).</summary>
public sealed class MemberRoleStore(KeysDbContext db, TimeProvider time)
{
    public Task<string?> FindAsync(Guid organizationId, Guid userId, CancellationToken cancellationToken) =>
        db.MemberRoles.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.UserId == userId)
            .Select(m => m.Role)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// What Keys knows of the member: <c>Known</c> false when no event about them has arrived yet; known with a
    /// null role when they left the organization or it was deleted.
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
            INSERT INTO keys."MemberRoles" ("Id", "OrganizationId", "UserId", "Role", "RoleAsOf", "CreatedAt", "UpdatedAt")
            VALUES ({Guid.CreateVersion7()}, {organizationId}, {userId}, {roleParameter}, {asOf.ToUniversalTime()}, {now}, {now})
            ON CONFLICT ("OrganizationId", "UserId") DO UPDATE
            SET "Role" = EXCLUDED."Role", "RoleAsOf" = EXCLUDED."RoleAsOf", "UpdatedAt" = EXCLUDED."UpdatedAt"
            WHERE "MemberRoles"."RoleAsOf" < EXCLUDED."RoleAsOf"
            """, cancellationToken);
    }

    /// <summary>
    /// Records the role the caller's signed identity carries, only when nothing is known yet: any event about
    /// the membership, however old, is better information than a token.
    /// </summary>
    public Task RememberIfUnknownAsync(Guid organizationId, Guid userId, string? role, CancellationToken cancellationToken) =>
        OrganizationRoles.All.Contains(role)
            ? SetAsync(organizationId, userId, role, DateTimeOffset.UnixEpoch, cancellationToken)
            : Task.CompletedTask;

    public Task ForgetOrganizationAsync(Guid organizationId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var utc = asOf.ToUniversalTime();
        return db.MemberRoles
            .Where(m => m.OrganizationId == organizationId && m.RoleAsOf < utc)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, (string?)null).SetProperty(m => m.RoleAsOf, utc).SetProperty(m => m.UpdatedAt, now),
                cancellationToken);
    }
}
