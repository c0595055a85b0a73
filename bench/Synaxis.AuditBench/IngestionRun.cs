using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using StackExchange.Redis;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;

namespace Synaxis.AuditBench;

/// <summary>
/// Ingestion throughput: the events are published (pipelined XADD, as fast as Redis takes them) while the running
/// Audit service ingests; the clock runs from the first publish until PostgreSQL holds every row.
/// </summary>
internal static class IngestionRun
{
    private static readonly string[] AdminTypes = ["KeyCreated", "GroupUpdated", "PolicyChanged", "MemberRoleChanged"];
    private static readonly string[] Models = ["gpt-4o-mini", "llama-3.3-70b", "mock-chat", "claude-haiku", "mistral-small"];

    public static async Task RunAsync(BenchOptions options, NpgsqlDataSource database, IConnectionMultiplexer redis)
    {
        var organizations = Enumerable.Range(0, options.Organizations).Select(_ => Guid.NewGuid()).ToArray();
        var entries = Build(options.Events, organizations, options.EventStream);
        var usage = entries.Count(e => e.Stream != options.EventStream);
        Console.WriteLine($"Ingestion: {entries.Count:N0} events ({usage:N0} UsageRecorded, {entries.Count - usage:N0} admin) over {organizations.Length} organizations");

        var db = redis.GetDatabase();
        var clock = Stopwatch.StartNew();
        const int inFlight = 2000;
        for (var i = 0; i < entries.Count; i += inFlight)
        {
            await Task.WhenAll(entries.Skip(i).Take(inFlight).Select(e => db.StreamAddAsync(e.Stream, e.Fields)));
        }
        var published = clock.Elapsed;

        long stored = 0;
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (stored < entries.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {stored} of {entries.Count} events were committed after 15 minutes.");
            }
            await Task.Delay(20);
            stored = await CountAsync(database, organizations);
        }
        var total = clock.Elapsed;
        Console.WriteLine($"  published in {published.TotalSeconds:F2} s; all committed after {total.TotalSeconds:F2} s: "
            + $"{entries.Count / total.TotalSeconds:N0} events/s");
        Console.WriteLine($"result phase=ingestion events={entries.Count} seconds={total.TotalSeconds:F3} events_per_s={entries.Count / total.TotalSeconds:F0}");
    }

    private static List<(string Stream, NameValueEntry[] Fields)> Build(int count, Guid[] organizations, string eventStream)
    {
        var usageStream = EventStreams.UsageOf(eventStream);
        var random = new Random(7);
        var entries = new List<(string, NameValueEntry[])>(count);
        for (var i = 0; i < count; i++)
        {
            var organization = organizations[i % organizations.Length];
            var origin = EventOrigin.User(Guid.NewGuid(), Guid.NewGuid().ToString("N")).WithClient("198.51.100.20", "bench/1.0");
            SynaxisEvent @event;
            string stream;
            if (i % 4 == 3)
            {
                var id = Guid.NewGuid();
                var data = JsonSerializer.SerializeToElement(new
                {
                    before = new { id, name = $"resource-{i}", limit = 100 },
                    after = new { id, name = $"resource-{i}-renamed", limit = 250.5 },
                }, JsonSerializerOptions.Web);
                @event = SynaxisEvent.Create(AdminTypes[i / 4 % AdminTypes.Length], organization, data, origin, DateTimeOffset.UtcNow);
                stream = eventStream;
            }
            else
            {
                var input = random.Next(10, 4000);
                var output = random.Next(1, 2000);
                var cost = Math.Round((input * 0.15m + output * 0.6m) / 1_000_000m, 9);
                var data = JsonSerializer.SerializeToElement(new UsageRecordedData(origin.ActorId, null, Guid.NewGuid(), null,
                    Models[i % Models.Length], i % 3 == 0 ? "mock-free" : "paid", i % 3 == 0 ? "free" : "paid", input, output,
                    i % 3 == 0 ? 0 : cost, i % 3 == 0 ? cost : 0, random.Next(50, 900), 200), InferenceEventsJsonContext.Default.UsageRecordedData);
                @event = SynaxisEvent.Create(UsageRecordedData.EventType, organization, data, origin, DateTimeOffset.UtcNow);
                stream = usageStream;
            }
            entries.Add((stream,
            [
                new(EventStreamFields.Id, @event.Id.ToString()),
                new(EventStreamFields.Type, @event.Type),
                new(EventStreamFields.Organization, organization.ToString()),
                new(EventStreamFields.Payload, @event.ToJson()),
            ]));
        }
        return entries;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource database, Guid[] organizations)
    {
        await using var command = database.CreateCommand("""
            SELECT (SELECT count(*) FROM audit."Logs" WHERE "OrganizationId" = ANY($1))
                 + (SELECT count(*) FROM audit."UsageRecords" WHERE "OrganizationId" = ANY($1))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = organizations });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
