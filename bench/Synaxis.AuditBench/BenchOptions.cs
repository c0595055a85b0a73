using System.Globalization;

namespace Synaxis.AuditBench;

/// <summary>The command line (every option required but the sizes); bench/audit-ingestion.sh passes them all.</summary>
internal sealed record BenchOptions(
    string Database,
    string Redis,
    string EventStream,
    Uri Audit,
    string SigningKey,
    int Events,
    int Rows,
    int Organizations,
    int Repeats)
{
    public const string Usage = """
        Synaxis.AuditBench --database CONNSTRING --redis CONNSTRING --stream NAME --audit URL --signing-key KEY
                           [--events 20000] [--rows 100000] [--organizations 50] [--repeats 5]

        1. ingestion: publishes --events events (3 UsageRecorded for 1 admin event, over --organizations
           organizations) to NAME and NAME:usage, and times until the Audit service at URL has committed them all;
        2. insert methods: the same usage rows written in batches of 500 by multi-row INSERT … unnest and by binary
           COPY into a staging table + INSERT … SELECT, into scratch tables;
        3. loads --rows chained log rows and --rows usage rows of one organization by binary COPY, over the last 30 days;
        4. times GET /logs (first page, a deep keyset page), /usage by model and by day, and /verify over those rows,
           --repeats times each, through the service with a signed identity.
        """;

    public static BenchOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }
        string? Get(string name) => values.GetValueOrDefault(name);
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        if (Get("--database") is not { } database || Get("--redis") is not { } redis || Get("--stream") is not { } stream
            || Get("--audit") is not { } audit || Get("--signing-key") is not { } key)
        {
            return null;
        }
        return new BenchOptions(database, redis, stream, new Uri(audit), key,
            Int("--events", 20_000), Int("--rows", 100_000), Int("--organizations", 50), Int("--repeats", 5));
    }
}
