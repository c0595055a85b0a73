using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Synaxis.Audit.Infrastructure;

namespace Synaxis.Audit.Partitions;

/// <summary>
/// The daily partitions of <c>Logs</c> and <c>UsageRecords</c> (<c>Logs_yyyyMMdd</c>, <c>UsageRecords_yyyyMMdd</c>):
/// which exist (cached, so ingestion asks PostgreSQL only about a day it has not seen), creating missing ones with
/// <c>audit.ensure_partitions</c>, and listing them for retention.
/// </summary>
public sealed class PartitionCatalog
{
    public const string LogsTable = "Logs";
    public const string UsageTable = "UsageRecords";

    private readonly ConcurrentDictionary<DateOnly, byte> _known = new();

    /// <summary>The partition name of a table for a day: <c>Logs_20260105</c>.</summary>
    public static string NameOf(string table, DateOnly day) => $"{table}_{day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    /// <summary>The day a partition name stands for, or null for a name that is not a daily partition of <paramref name="table"/>.</summary>
    public static DateOnly? DayOf(string table, string partition) =>
        partition.StartsWith(table + "_", StringComparison.Ordinal)
        && DateOnly.TryParseExact(partition[(table.Length + 1)..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : null;

    /// <summary>Makes sure both tables have a partition for each day (in its own short transaction: never inside a batch's).</summary>
    public async Task EnsureAsync(AuditDbContext db, IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        var missing = days.Where(d => !_known.ContainsKey(d)).Distinct().Order().ToList();
        if (missing.Count == 0)
        {
            return;
        }
        await db.Database.ExecuteSqlRawAsync(
            "SELECT audit.ensure_partitions(d, 1) FROM unnest({0}::date[]) AS d", [missing.ToArray()], cancellationToken);
        foreach (var day in missing)
        {
            _known[day] = 0;
        }
    }

    /// <summary>Makes sure both tables have partitions for <paramref name="days"/> days from <paramref name="from"/>.</summary>
    public async Task<int> EnsureRangeAsync(AuditDbContext db, DateOnly from, int days, CancellationToken cancellationToken)
    {
        var created = await db.Database.SqlQueryRaw<int>(
            "SELECT audit.ensure_partitions({0}, {1}) AS \"Value\"", from, days).SingleAsync(cancellationToken);
        for (var i = 0; i < days; i++)
        {
            _known[from.AddDays(i)] = 0;
        }
        return created;
    }

    /// <summary>Forgets what it knew: after a partition was dropped here, or when an insert found one missing.</summary>
    public void Forget() => _known.Clear();

    /// <summary>The daily partitions of <paramref name="table"/> that exist now, oldest first.</summary>
    public static async Task<List<(string Name, DateOnly Day)>> ListAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(format('audit.%I', $1::text))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        var partitions = new List<(string, DateOnly)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (DayOf(table, name) is { } day)
            {
                partitions.Add((name, day));
            }
        }
        partitions.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        return partitions;
    }
}
