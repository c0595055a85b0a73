using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Synaxis.AuditBench;

/// <summary>
/// The two ways to insert a batch that Audit considered, on the same rows, batch size and table shape (a scratch copy
/// of UsageRecords with its primary key), one transaction per batch as ingestion does: (a) one multi-row
/// <c>INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING</c> (what Audit uses), (b) binary COPY into a
/// temporary staging table, then <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>.
/// </summary>
internal static class InsertComparison
{
    private const int BatchSize = 500;

    private sealed record Row(Guid Id, DateOnly Day, Guid Organization, string Model, long Input, long Output, decimal Cost, DateTimeOffset At);

    public static async Task RunAsync(NpgsqlDataSource database, int count)
    {
        var now = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var rows = Enumerable.Range(0, count)
            .Select(i => new Row(Guid.CreateVersion7(), DateOnly.FromDateTime(at.UtcDateTime), Guid.NewGuid(), $"model-{i % 5}", i, i * 2, i / 1_000_000m, at))
            .ToList();
        Console.WriteLine($"Insert methods: {count:N0} usage rows in batches of {BatchSize}, one transaction each");
        foreach (var (name, insert) in new (string, Func<NpgsqlConnection, List<Row>, Task>)[] { ("unnest", UnnestAsync), ("copy", CopyAsync) })
        {
            await ExecuteAsync(database, """
                DROP TABLE IF EXISTS audit.bench_insert;
                CREATE TABLE audit.bench_insert ("Id" uuid, "PartitionDate" date, "OrganizationId" uuid, "Model" text,
                    "InputTokens" bigint, "OutputTokens" bigint, "CostUsd" numeric(18,9), "OccurredAt" timestamptz,
                    PRIMARY KEY ("PartitionDate", "Id"));
                """);
            await using var connection = await database.OpenConnectionAsync();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < rows.Count; i += BatchSize)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await insert(connection, rows.GetRange(i, Math.Min(BatchSize, rows.Count - i)));
                await transaction.CommitAsync();
            }
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"  {name,-7} {seconds:F2} s: {count / seconds:N0} rows/s");
            Console.WriteLine($"result phase=insert method={name} rows={count} seconds={seconds:F3} rows_per_s={count / seconds:F0}");
        }
        await ExecuteAsync(database, "DROP TABLE audit.bench_insert");
    }

    private static async Task UnnestAsync(NpgsqlConnection connection, List<Row> rows)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO audit.bench_insert
            SELECT * FROM unnest($1::uuid[], $2::date[], $3::uuid[], $4::text[], $5::bigint[], $6::bigint[], $7::numeric[], $8::timestamptz[])
            ON CONFLICT DO NOTHING
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Day).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Organization).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Model).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Input).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Output).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Cost).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.At).ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task CopyAsync(NpgsqlConnection connection, List<Row> rows)
    {
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE bench_stage (LIKE audit.bench_insert) ON COMMIT DROP", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY bench_stage FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(row.Id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.Day, NpgsqlDbType.Date);
                await writer.WriteAsync(row.Organization, NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.Model, NpgsqlDbType.Text);
                await writer.WriteAsync(row.Input, NpgsqlDbType.Bigint);
                await writer.WriteAsync(row.Output, NpgsqlDbType.Bigint);
                await writer.WriteAsync(row.Cost, NpgsqlDbType.Numeric);
                await writer.WriteAsync(row.At, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
        }
        await using var insert = new NpgsqlCommand("INSERT INTO audit.bench_insert SELECT * FROM bench_stage ON CONFLICT DO NOTHING", connection);
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
