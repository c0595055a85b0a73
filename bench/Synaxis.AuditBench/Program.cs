using Npgsql;
using StackExchange.Redis;
using Synaxis.AuditBench;

if (BenchOptions.Parse(args) is not { } options)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
await using var database = NpgsqlDataSource.Create(options.Database);
await using var redis = await ConnectionMultiplexer.ConnectAsync(options.Redis);

await IngestionRun.RunAsync(options, database, redis);
await InsertComparison.RunAsync(database, Math.Max(options.Events, 10_000));
var (organization, from, to) = await ChainLoader.LoadAsync(database, options.Rows);
await QueryRun.RunAsync(options, database, organization, from, to);
return 0;
