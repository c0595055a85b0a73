using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Infrastructure;
using Synaxis.Audit.Model;
using Synaxis.Audit.Partitions;

namespace Synaxis.Audit.Ingestion;

/// <summary>What one batch added: only rows that were not stored before (a redelivered event adds nothing).</summary>
public sealed record WrittenBatch(IReadOnlyList<AuditLog> Logs, IReadOnlyList<UsageRecord> Usage)
{
    public static WrittenBatch Empty { get; } = new([], []);
}

/// <summary>
/// Stores a batch of mapped events in one transaction: the organizations' advisory locks in a fixed order (other Audit
/// instances may write the same organizations at once), events already stored skipped, the rest appended to each
/// organization's chain (its <c>ChainHeads</c> row read and moved in the same transaction), logs and usage inserted in
/// bulk (one multi-row <c>INSERT … SELECT FROM unnest(arrays)</c> per table), retention settings applied. Nothing is
/// visible before the commit and a failed batch leaves nothing behind, so the caller acknowledges only after this
/// returns, and a redelivered batch is written exactly once.
/// </summary>
public sealed class AuditBatchWriter(AuditDbContext db, PartitionCatalog partitions, TimeProvider time)
{
    private const string NoPartitionState = PostgresErrorCodes.CheckViolation;

    public async Task<WrittenBatch> WriteAsync(IReadOnlyList<MappedEvent> events, CancellationToken cancellationToken)
    {
        var logs = Distinct(events.Select(e => e.Log).OfType<AuditLog>(), l => l.Id);
        var usage = Distinct(events.Select(e => e.Usage).OfType<UsageRecord>(), u => u.Id);
        var retention = events.Select(e => e.Retention).OfType<OrganizationRetention>()
            .GroupBy(r => r.OrganizationId)
            .Select(g => g.MaxBy(r => r.UpdatedAt)!)
            .ToList();
        if (logs.Count == 0 && usage.Count == 0 && retention.Count == 0)
        {
            return WrittenBatch.Empty;
        }

        var days = logs.Select(l => l.PartitionDate).Concat(usage.Select(u => u.PartitionDate)).ToList();
        await partitions.EnsureAsync(db, days, cancellationToken);
        try
        {
            return await WriteInTransactionAsync(logs, usage, retention, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == NoPartitionState && exception.Message.Contains("no partition", StringComparison.Ordinal))
        {
            // Another instance's retention dropped a day this process thought it had: look again, once.
            partitions.Forget();
            await partitions.EnsureAsync(db, days, cancellationToken);
            return await WriteInTransactionAsync(logs, usage, retention, cancellationToken);
        }
    }

    private async Task<WrittenBatch> WriteInTransactionAsync(
        List<AuditLog> logs, List<UsageRecord> usage, List<OrganizationRetention> retention, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        // A retried attempt starts over: it re-reads what is stored and the chain heads, so it cannot append twice.
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();

            var appended = logs.Count == 0 ? [] : await AppendLogsAsync(connection, logs, ct);
            var inserted = usage.Count == 0 ? [] : await InsertUsageAsync(connection, usage, ct);
            if (retention.Count > 0)
            {
                await UpsertRetentionAsync(connection, retention, ct);
            }
            await transaction.CommitAsync(ct);
            return new WrittenBatch(appended, inserted);
        }, cancellationToken);
    }

    private async Task<List<AuditLog>> AppendLogsAsync(NpgsqlConnection connection, List<AuditLog> candidates, CancellationToken ct)
    {
        var organizations = candidates.Select(l => l.OrganizationId).Distinct().ToList();
        await LockOrganizationsAsync(connection, organizations, ct);

        var stored = await StoredLogIdsAsync(connection, candidates, ct);
        var fresh = candidates.Where(l => !stored.Contains(l.Id)).ToList();
        if (fresh.Count == 0)
        {
            return [];
        }

        var heads = await ReadHeadsAsync(connection, [.. fresh.Select(l => l.OrganizationId).Distinct()], ct);
        var recordedAt = ChainHasher.ToStoredPrecision(time.GetUtcNow());
        var appended = new List<AuditLog>(fresh.Count);
        foreach (var chain in fresh.GroupBy(l => l.OrganizationId))
        {
            var (sequence, hash) = heads.TryGetValue(chain.Key, out var head) ? head : (0L, ChainHasher.Genesis.ToArray());
            foreach (var log in chain.OrderBy(l => l.OccurredAt).ThenBy(l => l.Id))
            {
                log.Sequence = ++sequence;
                log.PreviousHash = hash;
                log.RecordedAt = recordedAt;
                log.Hash = hash = ChainHasher.Compute(log, valuesAreCanonical: true);
                appended.Add(log);
            }
            heads[chain.Key] = (sequence, hash);
        }

        await InsertLogsAsync(connection, appended, ct);
        await WriteHeadsAsync(connection, [.. appended.Select(l => l.OrganizationId).Distinct().Select(o => (o, heads[o]))], ct);
        return appended;
    }

    /// <summary>
    /// One transaction-scoped advisory lock per organization, always in ascending key order so two writers with
    /// overlapping organizations never wait on each other in a cycle. One round trip (a batch runs its statements in order).
    /// </summary>
    private static async Task LockOrganizationsAsync(NpgsqlConnection connection, List<Guid> organizations, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var key in organizations.Select(ChainLocks.KeyOf).Distinct().Order())
        {
            var command = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static async Task<HashSet<Guid>> StoredLogIdsAsync(NpgsqlConnection connection, List<AuditLog> candidates, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT l."Id" FROM audit."Logs" l
            JOIN unnest($1::date[], $2::uuid[]) AS c(day, id) ON l."PartitionDate" = c.day AND l."Id" = c.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = candidates.Select(l => l.PartitionDate).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = candidates.Select(l => l.Id).ToArray() });
        var stored = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            stored.Add(reader.GetGuid(0));
        }
        return stored;
    }

    private static async Task<Dictionary<Guid, (long Sequence, byte[] Hash)>> ReadHeadsAsync(NpgsqlConnection connection, Guid[] organizations, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "OrganizationId", "Sequence", "Hash" FROM audit."ChainHeads" WHERE "OrganizationId" = ANY($1) FOR UPDATE
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = organizations });
        var heads = new Dictionary<Guid, (long, byte[])>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            heads[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        }
        return heads;
    }

    private static async Task InsertLogsAsync(NpgsqlConnection connection, List<AuditLog> logs, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO audit."Logs" ("Id", "PartitionDate", "OrganizationId", "Sequence", "ActorId", "ActorType", "Action",
                "ResourceType", "ResourceId", "PreviousValues", "NewValues", "RequestId", "ClientAddress", "UserAgent",
                "OccurredAt", "RecordedAt", "Hash", "PreviousHash")
            SELECT id, day, org, seq, actor, actor_type, action, resource_type, resource_id, previous::jsonb, next::jsonb,
                request_id, client_address, user_agent, occurred_at, recorded_at, hash, previous_hash
            FROM unnest($1::uuid[], $2::date[], $3::uuid[], $4::bigint[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[],
                $16::timestamptz[], $17::bytea[], $18::bytea[])
                AS r(id, day, org, seq, actor, actor_type, action, resource_type, resource_id, previous, next, request_id,
                    client_address, user_agent, occurred_at, recorded_at, hash, previous_hash)
            """, connection);
        Add(command, logs.Select(l => l.Id).ToArray());
        Add(command, logs.Select(l => l.PartitionDate).ToArray());
        Add(command, logs.Select(l => l.OrganizationId).ToArray());
        Add(command, logs.Select(l => l.Sequence).ToArray());
        Add(command, logs.Select(l => l.ActorId).ToArray());
        AddText(command, logs.Select(l => l.ActorType));
        AddText(command, logs.Select(l => l.Action));
        AddText(command, logs.Select(l => l.ResourceType));
        AddText(command, logs.Select(l => l.ResourceId));
        AddText(command, logs.Select(l => l.PreviousValues));
        AddText(command, logs.Select(l => l.NewValues));
        AddText(command, logs.Select(l => l.RequestId));
        AddText(command, logs.Select(l => l.ClientAddress));
        AddText(command, logs.Select(l => l.UserAgent));
        Add(command, logs.Select(l => l.OccurredAt).ToArray());
        Add(command, logs.Select(l => l.RecordedAt).ToArray());
        Add(command, logs.Select(l => l.Hash).ToArray());
        Add(command, logs.Select(l => l.PreviousHash).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task WriteHeadsAsync(NpgsqlConnection connection, (Guid Organization, (long Sequence, byte[] Hash) Head)[] heads, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO audit."ChainHeads" ("OrganizationId", "Sequence", "Hash")
            SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bytea[])
            ON CONFLICT ("OrganizationId") DO UPDATE SET "Sequence" = excluded."Sequence", "Hash" = excluded."Hash"
            """, connection);
        Add(command, heads.Select(h => h.Organization).ToArray());
        Add(command, heads.Select(h => h.Head.Sequence).ToArray());
        Add(command, heads.Select(h => h.Head.Hash).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Usage rows are not chained: the primary key alone makes a redelivery a no-op.</summary>
    private static async Task<List<UsageRecord>> InsertUsageAsync(NpgsqlConnection connection, List<UsageRecord> usage, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO audit."UsageRecords" ("Id", "PartitionDate", "OrganizationId", "GroupId", "UserId", "KeyId", "Model",
                "Provider", "ProviderTier", "InputTokens", "OutputTokens", "CostUsd", "MoneySavedUsd", "LatencyMs", "StatusCode",
                "RequestId", "OccurredAt")
            SELECT * FROM unnest($1::uuid[], $2::date[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[],
                $9::text[], $10::bigint[], $11::bigint[], $12::numeric[], $13::numeric[], $14::bigint[], $15::integer[],
                $16::text[], $17::timestamptz[])
            ON CONFLICT DO NOTHING
            RETURNING "Id"
            """, connection);
        Add(command, usage.Select(u => u.Id).ToArray());
        Add(command, usage.Select(u => u.PartitionDate).ToArray());
        Add(command, usage.Select(u => u.OrganizationId).ToArray());
        Add(command, usage.Select(u => u.GroupId).ToArray());
        Add(command, usage.Select(u => u.UserId).ToArray());
        Add(command, usage.Select(u => u.KeyId).ToArray());
        AddText(command, usage.Select(u => u.Model));
        AddText(command, usage.Select(u => u.Provider));
        AddText(command, usage.Select(u => u.ProviderTier));
        Add(command, usage.Select(u => u.InputTokens).ToArray());
        Add(command, usage.Select(u => u.OutputTokens).ToArray());
        Add(command, usage.Select(u => u.CostUsd).ToArray());
        Add(command, usage.Select(u => u.MoneySavedUsd).ToArray());
        Add(command, usage.Select(u => u.LatencyMs).ToArray());
        Add(command, usage.Select(u => u.StatusCode).ToArray());
        AddText(command, usage.Select(u => u.RequestId));
        Add(command, usage.Select(u => u.OccurredAt).ToArray());
        var inserted = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                inserted.Add(reader.GetGuid(0));
            }
        }
        return [.. usage.Where(u => inserted.Contains(u.Id))];
    }

    /// <summary>The newest setting wins, whatever order the events arrive in.</summary>
    private static async Task UpsertRetentionAsync(NpgsqlConnection connection, List<OrganizationRetention> retention, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO audit."OrganizationRetention" ("OrganizationId", "RetentionDays", "UpdatedAt")
            SELECT * FROM unnest($1::uuid[], $2::integer[], $3::timestamptz[])
            ON CONFLICT ("OrganizationId") DO UPDATE SET "RetentionDays" = excluded."RetentionDays", "UpdatedAt" = excluded."UpdatedAt"
            WHERE "OrganizationRetention"."UpdatedAt" <= excluded."UpdatedAt"
            """, connection);
        Add(command, retention.Select(r => r.OrganizationId).ToArray());
        Add(command, retention.Select(r => r.RetentionDays).ToArray());
        Add(command, retention.Select(r => r.UpdatedAt).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Add<T>(NpgsqlCommand command, T[] values) => command.Parameters.Add(new NpgsqlParameter<T[]> { TypedValue = values });

    private static void AddText(NpgsqlCommand command, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. values], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });

    private static List<T> Distinct<T>(IEnumerable<T> rows, Func<T, Guid> id)
    {
        var seen = new HashSet<Guid>();
        return [.. rows.Where(r => seen.Add(id(r)))];
    }
}
