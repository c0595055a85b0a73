using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Model;

namespace Synaxis.AuditBench;

/// <summary>
/// Loads one organization's history fast: <c>rows</c> log rows, chained exactly as ingestion chains them
/// (<see cref="ChainHasher"/>, so <c>/verify</c> finds them intact), and <c>rows</c> usage rows, by binary COPY into the
/// partitioned tables, spread evenly over the last 30 days.
/// </summary>
internal static class ChainLoader
{
    public const int Days = 30;

    private static readonly string[] Actions = ["KeyCreated", "GroupUpdated", "PolicyChanged", "MemberRoleChanged"];
    private static readonly string[] Resources = ["Key", "Group", "Policy", "Member"];
    private static readonly string[] Models = ["gpt-4o-mini", "llama-3.3-70b", "mock-chat", "claude-haiku", "mistral-small"];
    private static readonly string[] Providers = ["mock-free", "groq", "openai"];

    public static async Task<(Guid Organization, DateTimeOffset From, DateTimeOffset To)> LoadAsync(NpgsqlDataSource database, int rows)
    {
        var organization = Guid.NewGuid();
        var to = ChainHasher.ToStoredPrecision(DateTimeOffset.UtcNow.AddMinutes(-1));
        var from = to.AddDays(-Days);
        var step = TimeSpan.FromTicks((to - from).Ticks / rows);
        await using (var ensure = database.CreateCommand($"SELECT audit.ensure_partitions($1, {Days + 2})"))
        {
            ensure.Parameters.Add(new NpgsqlParameter { Value = DateOnly.FromDateTime(from.UtcDateTime) });
            await ensure.ExecuteNonQueryAsync();
        }
        var actors = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        var keys = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        var groups = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();

        var clock = Stopwatch.StartNew();
        await using var connection = await database.OpenConnectionAsync();
        var previous = ChainHasher.Genesis.ToArray();
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY audit."Logs" ("Id", "PartitionDate", "OrganizationId", "Sequence", "ActorId", "ActorType", "Action", "ResourceType",
                "ResourceId", "PreviousValues", "NewValues", "RequestId", "ClientAddress", "UserAgent", "OccurredAt", "RecordedAt",
                "Hash", "PreviousHash") FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < rows; i++)
            {
                var at = ChainHasher.ToStoredPrecision(from + step * i);
                var resource = Guid.NewGuid();
                var row = new AuditLog
                {
                    Id = Guid.CreateVersion7(at),
                    PartitionDate = DateOnly.FromDateTime(at.UtcDateTime),
                    OrganizationId = organization,
                    Sequence = i + 1,
                    ActorId = actors[i % actors.Length],
                    ActorType = "user",
                    Action = Actions[i % Actions.Length],
                    ResourceType = Resources[i % Resources.Length],
                    ResourceId = resource.ToString(),
                    PreviousValues = CanonicalJson.ToText($$"""{"id":"{{resource}}","name":"resource-{{i}}","limit":100}"""),
                    NewValues = CanonicalJson.ToText($$"""{"id":"{{resource}}","name":"resource-{{i}}-renamed","limit":250.5}"""),
                    RequestId = Guid.NewGuid().ToString("N"),
                    ClientAddress = "198.51.100.20",
                    UserAgent = "bench/1.0",
                    OccurredAt = at,
                    RecordedAt = at,
                    PreviousHash = previous,
                };
                row.Hash = previous = ChainHasher.Compute(row, valuesAreCanonical: true);
                await writer.StartRowAsync();
                await writer.WriteAsync(row.Id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.PartitionDate, NpgsqlDbType.Date);
                await writer.WriteAsync(row.OrganizationId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.Sequence, NpgsqlDbType.Bigint);
                await writer.WriteAsync(row.ActorId.Value, NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.ActorType, NpgsqlDbType.Text);
                await writer.WriteAsync(row.Action, NpgsqlDbType.Text);
                await writer.WriteAsync(row.ResourceType, NpgsqlDbType.Text);
                await writer.WriteAsync(row.ResourceId, NpgsqlDbType.Text);
                await writer.WriteAsync(row.PreviousValues, NpgsqlDbType.Jsonb);
                await writer.WriteAsync(row.NewValues, NpgsqlDbType.Jsonb);
                await writer.WriteAsync(row.RequestId, NpgsqlDbType.Text);
                await writer.WriteAsync(row.ClientAddress, NpgsqlDbType.Text);
                await writer.WriteAsync(row.UserAgent, NpgsqlDbType.Text);
                await writer.WriteAsync(row.OccurredAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(row.RecordedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(row.Hash, NpgsqlDbType.Bytea);
                await writer.WriteAsync(row.PreviousHash, NpgsqlDbType.Bytea);
            }
            await writer.CompleteAsync();
        }
        await using (var head = new NpgsqlCommand("""INSERT INTO audit."ChainHeads" VALUES ($1, $2, $3)""", connection))
        {
            head.Parameters.Add(new NpgsqlParameter { Value = organization });
            head.Parameters.Add(new NpgsqlParameter { Value = (long)rows });
            head.Parameters.Add(new NpgsqlParameter { Value = previous });
            await head.ExecuteNonQueryAsync();
        }
        var logsSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY audit."UsageRecords" ("Id", "PartitionDate", "OrganizationId", "GroupId", "UserId", "KeyId", "Model", "Provider",
                "ProviderTier", "InputTokens", "OutputTokens", "CostUsd", "MoneySavedUsd", "LatencyMs", "StatusCode", "RequestId",
                "OccurredAt") FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < rows; i++)
            {
                var at = ChainHasher.ToStoredPrecision(from + step * i);
                var free = i % 3 == 0;
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
                await writer.WriteAsync(DateOnly.FromDateTime(at.UtcDateTime), NpgsqlDbType.Date);
                await writer.WriteAsync(organization, NpgsqlDbType.Uuid);
                await writer.WriteAsync(groups[i % groups.Length], NpgsqlDbType.Uuid);
                await writer.WriteAsync(actors[i % actors.Length], NpgsqlDbType.Uuid);
                await writer.WriteAsync(keys[i % keys.Length], NpgsqlDbType.Uuid);
                await writer.WriteAsync(Models[i % Models.Length], NpgsqlDbType.Text);
                await writer.WriteAsync(Providers[i % Providers.Length], NpgsqlDbType.Text);
                await writer.WriteAsync(free ? "free" : "paid", NpgsqlDbType.Text);
                await writer.WriteAsync((long)(i % 4000), NpgsqlDbType.Bigint);
                await writer.WriteAsync((long)(i % 1500), NpgsqlDbType.Bigint);
                await writer.WriteAsync(free ? 0m : (i % 1000) / 1_000_000m, NpgsqlDbType.Numeric);
                await writer.WriteAsync(free ? (i % 1000) / 1_000_000m : 0m, NpgsqlDbType.Numeric);
                await writer.WriteAsync((long)(i % 900), NpgsqlDbType.Bigint);
                await writer.WriteAsync(200, NpgsqlDbType.Integer);
                await writer.WriteAsync(Guid.NewGuid().ToString("N"), NpgsqlDbType.Text);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
        }
        var usageSeconds = clock.Elapsed.TotalSeconds;
        await using (var analyze = new NpgsqlCommand("""ANALYZE audit."Logs"; ANALYZE audit."UsageRecords";""", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"Loaded {rows:N0} chained log rows in {logsSeconds:F1} s and {rows:N0} usage rows in {usageSeconds:F1} s (binary COPY, {Days} days)");
        return (organization, from, to);
    }
}
