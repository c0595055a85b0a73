using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Synaxis.Keys.Infrastructure;

namespace Synaxis.Keys.Services;

/// <summary>The Keys service's copy of organizations' groups (see <see cref="Model.KnownGroup"/>).</summary>
public sealed class GroupStore(KeysDbContext db, TimeProvider time)
{
    /// <summary>What Keys knows of a group, deleted or not; <see langword="null"/> when no event named it yet.</summary>
    public async Task<GroupState?> FindAsync(Guid groupId, CancellationToken cancellationToken)
    {
        var row = await db.Groups.IgnoreQueryFilters().AsNoTracking()
            .Where(g => g.GroupId == groupId)
            .Select(g => new { g.OrganizationId, g.DeletedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new GroupState(row.OrganizationId, row.DeletedAt is not null);
    }

    /// <summary>Records a new group; a repeat, or a creation arriving after the deletion, changes nothing.</summary>
    public Task<int> AddAsync(Guid organizationId, Guid groupId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO keys."Groups" ("Id", "OrganizationId", "GroupId", "CreatedAt", "UpdatedAt")
            VALUES ({Guid.CreateVersion7()}, {organizationId}, {groupId}, {now}, {now})
            ON CONFLICT ("GroupId") DO NOTHING
            """, cancellationToken);
    }

    /// <summary>Marks the group deleted, recording it even when its creation has not arrived yet.</summary>
    public Task<int> DeleteAsync(Guid organizationId, Guid groupId, DateTimeOffset deletedAt, Guid? deletedBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var by = new NpgsqlParameter("deletedBy", NpgsqlDbType.Uuid) { Value = (object?)deletedBy ?? DBNull.Value };
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO keys."Groups" ("Id", "OrganizationId", "GroupId", "CreatedAt", "UpdatedAt", "DeletedAt", "DeletedBy")
            VALUES ({Guid.CreateVersion7()}, {organizationId}, {groupId}, {now}, {now}, {deletedAt.ToUniversalTime()}, {by})
            ON CONFLICT ("GroupId") DO UPDATE
            SET "DeletedAt" = EXCLUDED."DeletedAt", "DeletedBy" = EXCLUDED."DeletedBy", "UpdatedAt" = EXCLUDED."UpdatedAt"
            WHERE "Groups"."DeletedAt" IS NULL AND "Groups"."OrganizationId" = EXCLUDED."OrganizationId"
            """, cancellationToken);
    }

    /// <summary>Every group of a deleted organization goes with it.</summary>
    public Task<int> DeleteOrganizationAsync(Guid organizationId, DateTimeOffset deletedAt, Guid? deletedBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var utc = deletedAt.ToUniversalTime();
        return db.Groups.IgnoreQueryFilters()
            .Where(g => g.OrganizationId == organizationId && g.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.DeletedAt, utc).SetProperty(g => g.DeletedBy, deletedBy).SetProperty(g => g.UpdatedAt, now),
                cancellationToken);
    }
}

/// <param name="Deleted">The group was deleted (or its organization was).</param>
public sealed record GroupState(Guid OrganizationId, bool Deleted);
