using System.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Synaxis.Audit.Contracts;
using Synaxis.Audit.Infrastructure;
using Synaxis.Audit.Model;

namespace Synaxis.Audit.Chain;

/// <summary>
/// Checks an organization's chain over a window: the entries that occurred in it give a range of sequences, and every
/// stored entry of that range is checked in sequence order (entries of the range that occurred just outside the window,
/// such as one recorded late, are part of the chain and are checked too). Each entry must hash to its stored hash
/// (else <c>hash-mismatch</c>), follow its predecessor's sequence (else <c>missing</c>, unless retention removed the
/// predecessor and left a checkpoint of it) and carry its predecessor's hash (else <c>link-mismatch</c>). The first
/// entry links to the entry before it, to the checkpoint retention left of it, or to nothing for sequence 1. When the
/// window reaches the chain's last stored entry, that entry must also be the chain head the writer recorded, which
/// catches deleting or re-hashing the newest entries.
/// </summary>
public sealed class ChainVerifier(AuditDbContext db)
{
    public async Task<VerifyResponse> VerifyAsync(Guid organizationId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // One snapshot for the whole walk, so entries ingested meanwhile cannot look like a broken chain.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var result = await VerifyAsync(connection, organizationId, from, to, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<VerifyResponse> VerifyAsync(
        NpgsqlConnection connection, Guid organizationId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (await SequenceRangeAsync(connection, organizationId, from, to, ct) is not { } range)
        {
            return new VerifyResponse(true, 0, null);
        }
        var (first, last) = range;
        // Read before the walk: one connection runs one command at a time.
        var checkpoints = await CheckpointsAsync(connection, organizationId, first, last, ct);
        byte[]? expected = first == 1 ? ChainHasher.Genesis.ToArray() : await LinkTargetAsync(connection, organizationId, first - 1, ct);
        long previousSequence = first - 1;
        long checkedCount = 0;
        AuditLog? lastRow = null;
        await using (var command = new NpgsqlCommand(SelectRowsSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
            command.Parameters.Add(new NpgsqlParameter { Value = first });
            command.Parameters.Add(new NpgsqlParameter { Value = last });
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                var row = Read(reader);
                checkedCount++;
                if (row.Sequence == previousSequence)
                {
                    return Broken(checkedCount, row, BrokenEntryReasons.LinkMismatch);
                }
                if (row.Sequence > previousSequence + 1)
                {
                    expected = checkpoints.GetValueOrDefault(row.Sequence - 1);
                }
                if (expected is null)
                {
                    return Broken(checkedCount, row, BrokenEntryReasons.Missing);
                }
                if (!ChainHasher.Compute(row, valuesAreCanonical: false).AsSpan().SequenceEqual(row.Hash))
                {
                    return Broken(checkedCount, row, BrokenEntryReasons.HashMismatch);
                }
                if (!row.PreviousHash.AsSpan().SequenceEqual(expected))
                {
                    return Broken(checkedCount, row, BrokenEntryReasons.LinkMismatch);
                }
                previousSequence = row.Sequence;
                expected = row.Hash;
                lastRow = row;
            }
        }
        if (lastRow is null)
        {
            // The rows of the range vanished between the two statements (retention): nothing left to check.
            return new VerifyResponse(true, 0, null);
        }
        return await CheckHeadAsync(connection, organizationId, lastRow, checkedCount, ct) ?? new VerifyResponse(true, checkedCount, null);
    }

    /// <summary>The sequences of the entries that occurred in the window (partitions pruned by the dates).</summary>
    private static async Task<(long, long)?> SequenceRangeAsync(NpgsqlConnection connection, Guid organizationId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT min("Sequence"), max("Sequence") FROM audit."Logs"
            WHERE "OrganizationId" = $1 AND "PartitionDate" BETWEEN $2 AND $3 AND "OccurredAt" BETWEEN $4 AND $5
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = DateOnly.FromDateTime(from.UtcDateTime) });
        command.Parameters.Add(new NpgsqlParameter { Value = DateOnly.FromDateTime(to.UtcDateTime) });
        command.Parameters.Add(new NpgsqlParameter { Value = from.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = to.ToUniversalTime() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.IsDBNull(0) ? null : (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>What an entry at <paramref name="sequence"/> + 1 must link to: the stored entry, else the checkpoint retention left of it.</summary>
    private static async Task<byte[]?> LinkTargetAsync(NpgsqlConnection connection, Guid organizationId, long sequence, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "Hash" FROM audit."Logs" WHERE "OrganizationId" = $1 AND "Sequence" = $2 LIMIT 1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = sequence });
        return await command.ExecuteScalarAsync(ct) as byte[] ?? await CheckpointAsync(connection, organizationId, sequence, ct);
    }

    /// <summary>The checkpoints retention left inside the range: predecessors of entries whose predecessor is gone.</summary>
    private static async Task<Dictionary<long, byte[]>> CheckpointsAsync(NpgsqlConnection connection, Guid organizationId, long first, long last, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "Sequence", "Hash" FROM audit."ChainCheckpoints" WHERE "OrganizationId" = $1 AND "Sequence" BETWEEN $2 AND $3
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = first });
        command.Parameters.Add(new NpgsqlParameter { Value = last });
        var checkpoints = new Dictionary<long, byte[]>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            checkpoints[reader.GetInt64(0)] = reader.GetFieldValue<byte[]>(1);
        }
        return checkpoints;
    }

    private static async Task<byte[]?> CheckpointAsync(NpgsqlConnection connection, Guid organizationId, long sequence, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "Hash" FROM audit."ChainCheckpoints" WHERE "OrganizationId" = $1 AND "Sequence" = $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = sequence });
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>
    /// When <paramref name="lastRow"/> is the last stored entry, the head must be it: a head further on means the newest
    /// entries were deleted (unless retention removed them all and checkpointed the head), a different hash that the
    /// last entry was re-hashed.
    /// </summary>
    private static async Task<VerifyResponse?> CheckHeadAsync(NpgsqlConnection connection, Guid organizationId, AuditLog lastRow, long checkedCount, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT h."Sequence", h."Hash",
                EXISTS (SELECT 1 FROM audit."Logs" l WHERE l."OrganizationId" = $1 AND l."Sequence" > $2),
                EXISTS (SELECT 1 FROM audit."ChainCheckpoints" c WHERE c."OrganizationId" = $1 AND c."Sequence" = h."Sequence")
            FROM audit."ChainHeads" h WHERE h."OrganizationId" = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = lastRow.Sequence });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.GetBoolean(2))
        {
            return null;
        }
        var (headSequence, headHash, headCheckpointed) = (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetBoolean(3));
        if (headSequence > lastRow.Sequence && !headCheckpointed)
        {
            return new VerifyResponse(false, checkedCount, new BrokenEntry(null, lastRow.Sequence + 1, null, BrokenEntryReasons.Missing));
        }
        if (headSequence == lastRow.Sequence && !headHash.AsSpan().SequenceEqual(lastRow.Hash))
        {
            return Broken(checkedCount, lastRow, BrokenEntryReasons.LinkMismatch);
        }
        return null;
    }

    private static VerifyResponse Broken(long checkedCount, AuditLog row, string reason) =>
        new(false, checkedCount, new BrokenEntry(row.Id, row.Sequence, row.OccurredAt, reason));

    private const string SelectRowsSql = """
        SELECT "Id", "OrganizationId", "Sequence", "ActorId", "ActorType", "Action", "ResourceType", "ResourceId",
            "PreviousValues"::text, "NewValues"::text, "RequestId", "ClientAddress", "UserAgent", "OccurredAt", "Hash", "PreviousHash"
        FROM audit."Logs"
        WHERE "OrganizationId" = $1 AND "Sequence" BETWEEN $2 AND $3
        ORDER BY "Sequence", "Id"
        """;

    private static AuditLog Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        OrganizationId = reader.GetGuid(1),
        Sequence = reader.GetInt64(2),
        ActorId = reader.IsDBNull(3) ? null : reader.GetGuid(3),
        ActorType = reader.GetString(4),
        Action = reader.GetString(5),
        ResourceType = reader.GetString(6),
        ResourceId = reader.IsDBNull(7) ? null : reader.GetString(7),
        PreviousValues = reader.IsDBNull(8) ? null : reader.GetString(8),
        NewValues = reader.IsDBNull(9) ? null : reader.GetString(9),
        RequestId = reader.IsDBNull(10) ? null : reader.GetString(10),
        ClientAddress = reader.IsDBNull(11) ? null : reader.GetString(11),
        UserAgent = reader.IsDBNull(12) ? null : reader.GetString(12),
        OccurredAt = reader.GetFieldValue<DateTimeOffset>(13),
        Hash = reader.GetFieldValue<byte[]>(14),
        PreviousHash = reader.GetFieldValue<byte[]>(15),
    };
}
