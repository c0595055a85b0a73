using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using Synaxis.ServiceKit.Security;

namespace Synaxis.ServiceKit.Membership;

/// <summary>
/// Reads and writes a service's <see cref="MemberRole"/> copy (its context must apply
/// <see cref="MemberRoleConfiguration"/>). Writes run in the caller's transaction, if any.
/// </summary>
public sealed class MemberRoleStore<TContext>(TContext db, TimeProvider time)
    where TContext : DbContext
{
    /// <summary>
    /// What the service knows of the member: <c>Known</c> false when no event about them has arrived yet; known
    /// with a null role when they left the organization or it was deleted.
    /// </summary>
    public async Task<(bool Known, string? Role)> GetStateAsync(Guid organizationId, Guid userId, CancellationToken cancellationToken)
    {
        var row = await db.Set<MemberRole>().AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.UserId == userId)
            .Select(m => new { m.Role })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? (false, null) : (true, row.Role);
    }

    /// <summary>Stores the role if <paramref name="asOf"/> is newer than what is stored.</summary>
    /// <returns>1 when the role was stored (newer than what was known), else 0.</returns>
    public Task<int> SetAsync(Guid organizationId, Guid userId, string? role, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // An upsert that only moves forward in time: events can arrive out of order or twice. The table name
        // comes from the EF model, never from input; every value is a parameter.
        var upsert = $"""
            INSERT INTO {Table} ("Id", "OrganizationId", "UserId", "Role", "RoleAsOf", "CreatedAt", "UpdatedAt")
            VALUES (@id, @organizationId, @userId, @role, @asOf, @now, @now)
            ON CONFLICT ("OrganizationId", "UserId") DO UPDATE
            SET "Role" = EXCLUDED."Role", "RoleAsOf" = EXCLUDED."RoleAsOf", "UpdatedAt" = EXCLUDED."UpdatedAt"
            WHERE "MemberRoles"."RoleAsOf" < EXCLUDED."RoleAsOf"
            """;
        return db.Database.ExecuteSqlRawAsync(
            upsert,
            [
                new NpgsqlParameter("id", Guid.CreateVersion7()),
                new NpgsqlParameter("organizationId", organizationId),
                new NpgsqlParameter("userId", userId),
                new NpgsqlParameter("role", NpgsqlDbType.Varchar) { Value = (object?)role ?? DBNull.Value },
                new NpgsqlParameter("asOf", asOf.ToUniversalTime()),
                new NpgsqlParameter("now", now),
            ],
            cancellationToken);
    }

    /// <summary>
    /// Records the role the caller's signed identity carries, only when nothing is known yet: any event about
    /// the membership, however old, is better information than a token.
    /// </summary>
    public Task RememberIfUnknownAsync(Guid organizationId, Guid userId, string? role, CancellationToken cancellationToken) =>
        OrganizationRoles.All.Contains(role)
            ? SetAsync(organizationId, userId, role, DateTimeOffset.UnixEpoch, cancellationToken)
            : Task.CompletedTask;

    /// <summary>Everyone of a deleted organization loses their role, unless a newer event says otherwise.</summary>
    public Task<int> ForgetOrganizationAsync(Guid organizationId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var utc = asOf.ToUniversalTime();
        return db.Set<MemberRole>()
            .Where(m => m.OrganizationId == organizationId && m.RoleAsOf < utc)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, (string?)null).SetProperty(m => m.RoleAsOf, utc).SetProperty(m => m.UpdatedAt, now),
                cancellationToken);
    }

    /// <summary>The quoted, schema-qualified table, from the model (each service keeps it in its own schema).</summary>
    private string Table
    {
        get
        {
            var entity = db.Model.FindEntityType(typeof(MemberRole))
                ?? throw new InvalidOperationException($"{typeof(TContext).Name} does not map {nameof(MemberRole)}.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            return $"\"{table.Schema}\".\"{table.Name}\"";
        }
    }
}
