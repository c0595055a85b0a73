using Microsoft.EntityFrameworkCore;
using Npgsql;
using Synaxis.Audit.Infrastructure;
using Synaxis.Audit.Model;
using Synaxis.Audit.Partitions;

namespace Synaxis.Audit.Retention;

public sealed record RetentionResult(int PartitionsDropped, long LogsDeleted, long UsageDeleted, long Checkpoints);

/// <summary>
/// Removes what is older than its retention (N days: the rows of the last N days before today are kept). Whole daily
/// partitions older than the longest retention in force (the default and every organization's) are dropped; in the
/// partitions that remain, rows of organizations with a shorter retention are deleted. Before any chained row goes,
/// the same transaction stores a <see cref="ChainCheckpoint"/> for every removed row whose successor stays (at least
/// the organization's last removed row): the successor's link is still checked against it, so the chain verifies
/// after retention exactly as before.
/// </summary>
public sealed class RetentionSweeper(AuditDbContext db, PartitionCatalog catalog, RetentionPolicy policy, TimeProvider time)
{
    public async Task<RetentionResult> RunAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var defaultDays = policy.DefaultDays;
        var (longest, shortest) = await policy.BoundsAsync(cancellationToken);
        var dropBefore = today.AddDays(-longest);
        var (dropped, dropCheckpoints) = await DropPartitionsAsync(dropBefore, cancellationToken);
        var deleted = shortest < longest
            ? await DeleteExpiredRowsAsync(today, dropBefore, today.AddDays(-shortest), defaultDays, cancellationToken)
            : (Logs: 0L, Usage: 0L, Checkpoints: 0L);
        return new RetentionResult(dropped, deleted.Logs, deleted.Usage, dropCheckpoints + deleted.Checkpoints);
    }

    /// <summary>
    /// Drops the partitions of days before <paramref name="dropBefore"/>. Both parent tables are locked first: no
    /// ingestion can add a row to a dropped day between the checkpoints and the drop, and the locks are taken in the
    /// order ingestion takes them (Logs, then UsageRecords), so neither waits on the other in a cycle.
    /// </summary>
    private async Task<(int Dropped, long Checkpoints)> DropPartitionsAsync(DateOnly dropBefore, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var result = await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var logs = (await PartitionCatalog.ListAsync(connection, PartitionCatalog.LogsTable, ct)).Where(p => p.Day < dropBefore).ToList();
            var usage = (await PartitionCatalog.ListAsync(connection, PartitionCatalog.UsageTable, ct)).Where(p => p.Day < dropBefore).ToList();
            if (logs.Count == 0 && usage.Count == 0)
            {
                return (0, 0L);
            }
            await ExecuteAsync(connection, """LOCK TABLE audit."Logs", audit."UsageRecords" IN ACCESS EXCLUSIVE MODE""", ct);
            await using var checkpoint = new NpgsqlCommand("""
                INSERT INTO audit."ChainCheckpoints" ("OrganizationId", "Sequence", "Hash", "Reason", "CreatedAt")
                SELECT r."OrganizationId", r."Sequence", r."Hash", $2, $3
                FROM audit."Logs" r
                WHERE r."PartitionDate" < $1
                  AND NOT EXISTS (
                      SELECT 1 FROM audit."Logs" n
                      WHERE n."OrganizationId" = r."OrganizationId" AND n."Sequence" = r."Sequence" + 1 AND n."PartitionDate" < $1)
                ON CONFLICT DO NOTHING
                """, connection);
            checkpoint.Parameters.Add(new NpgsqlParameter { Value = dropBefore });
            checkpoint.Parameters.Add(new NpgsqlParameter { Value = ChainCheckpointReasons.PartitionDropped });
            checkpoint.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
            long checkpoints = await checkpoint.ExecuteNonQueryAsync(ct);
            foreach (var (name, _) in logs.Concat(usage))
            {
                await ExecuteAsync(connection, $"DROP TABLE audit.\"{name}\"", ct);
            }
            await transaction.CommitAsync(ct);
            return (logs.Count + usage.Count, checkpoints);
        }, cancellationToken);
        if (result.Item1 > 0)
        {
            catalog.Forget();
        }
        return result;
    }

    /// <summary>
    /// Deletes, in the partitions that stay, the rows older than their organization's retention. One statement per
    /// table, so the rows deleted and the checkpoints written come from one snapshot (a row committed meanwhile is
    /// either deleted with its checkpoint or left alone).
    /// </summary>
    private async Task<(long Logs, long Usage, long Checkpoints)> DeleteExpiredRowsAsync(
        DateOnly today, DateOnly dropBefore, DateOnly shortestCutoff, int defaultDays, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var logs = new NpgsqlCommand("""
                WITH expired AS (
                    DELETE FROM audit."Logs" l
                    WHERE l."PartitionDate" >= $1 AND l."PartitionDate" < $2
                      AND l."PartitionDate" < $3 - COALESCE(
                          (SELECT r."RetentionDays" FROM audit."OrganizationRetention" r WHERE r."OrganizationId" = l."OrganizationId"), $4)
                    RETURNING l."OrganizationId", l."Sequence", l."Hash"
                ), checkpoints AS (
                    INSERT INTO audit."ChainCheckpoints" ("OrganizationId", "Sequence", "Hash", "Reason", "CreatedAt")
                    SELECT e."OrganizationId", e."Sequence", e."Hash", $5, $6
                    FROM expired e
                    WHERE NOT EXISTS (SELECT 1 FROM expired n WHERE n."OrganizationId" = e."OrganizationId" AND n."Sequence" = e."Sequence" + 1)
                    ON CONFLICT DO NOTHING
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM expired), (SELECT count(*) FROM checkpoints)
                """, connection);
            logs.Parameters.Add(new NpgsqlParameter { Value = dropBefore });
            logs.Parameters.Add(new NpgsqlParameter { Value = shortestCutoff });
            logs.Parameters.Add(new NpgsqlParameter { Value = today });
            logs.Parameters.Add(new NpgsqlParameter { Value = defaultDays });
            logs.Parameters.Add(new NpgsqlParameter { Value = ChainCheckpointReasons.Retention });
            logs.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
            long logsDeleted, checkpoints;
            await using (var reader = await logs.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                (logsDeleted, checkpoints) = (reader.GetInt64(0), reader.GetInt64(1));
            }

            await using var usage = new NpgsqlCommand("""
                DELETE FROM audit."UsageRecords" u
                WHERE u."PartitionDate" >= $1 AND u."PartitionDate" < $2
                  AND u."PartitionDate" < $3 - COALESCE(
                      (SELECT r."RetentionDays" FROM audit."OrganizationRetention" r WHERE r."OrganizationId" = u."OrganizationId"), $4)
                """, connection);
            usage.Parameters.Add(new NpgsqlParameter { Value = dropBefore });
            usage.Parameters.Add(new NpgsqlParameter { Value = shortestCutoff });
            usage.Parameters.Add(new NpgsqlParameter { Value = today });
            usage.Parameters.Add(new NpgsqlParameter { Value = defaultDays });
            long usageDeleted = await usage.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
            return (logsDeleted, usageDeleted, checkpoints);
        }, cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
