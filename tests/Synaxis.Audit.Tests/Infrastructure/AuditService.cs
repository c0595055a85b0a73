using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using Synaxis.Audit.Infrastructure;
using Synaxis.Audit.Partitions;
using Synaxis.Audit.Retention;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Audit.Tests.Infrastructure;

/// <summary>
/// One running Audit service (real Kestrel, real PostgreSQL database of its own, real Redis on streams of its own), and
/// what tests do with it: publish events as services do, wait for them to be recorded, call the API as the gateway
/// would, reach into the database.
/// </summary>
public sealed class AuditService : IAsyncDisposable
{
    public const string InternalSigningKey = "test-internal-identity-key-0123456789-abcdefghij";

    private readonly AuditServiceFactory _factory;
    private readonly ConnectionMultiplexer _redis;

    private AuditService(AuditServiceFactory factory, ConnectionMultiplexer redis, string database, string eventStream, TimeProvider time)
    {
        _factory = factory;
        _redis = redis;
        DatabaseConnectionString = database;
        EventStream = eventStream;
        Time = time;
        Api = new AuditApiClient(factory.CreateRealClient(), new InternalIdentitySigner(
            Options.Create(new InternalIdentityOptions { SigningKey = InternalSigningKey }), time));
    }

    /// <summary>This service's admin event stream (its usage stream is <see cref="UsageStream"/>).</summary>
    public string EventStream { get; }

    public string UsageStream => EventStreams.UsageOf(EventStream);

    public string DatabaseConnectionString { get; }

    public TimeProvider Time { get; }

    public IServiceProvider Services => _factory.Services;

    public AuditApiClient Api { get; }

    public IDatabase Redis => _redis.GetDatabase();

    public PartitionMaintenance Partitions => HostedService<PartitionMaintenance>();

    public RetentionService Retention => HostedService<RetentionService>();

    public static async Task<AuditService> StartAsync(string database, string redis, TimeProvider? time, IReadOnlyDictionary<string, string?>? extra)
    {
        var eventStream = $"synaxis:events:test-{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = database,
            ["ConnectionStrings:redis"] = redis,
            ["InternalIdentity:SigningKey"] = InternalSigningKey,
            ["Synaxis:Events:StreamName"] = eventStream,
            ["Synaxis:Events:ConsumerPollInterval"] = "00:00:00.050",
            // Short, so a "crashed" consumer's entries come back within the test's patience.
            ["Synaxis:Events:ClaimMinIdle"] = "00:00:01",
            ["Synaxis:Events:ClaimInterval"] = "00:00:00.250",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var factory = new AuditServiceFactory(settings, time);
        _ = factory.BaseAddress; // start now: migrations run before any test
        var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        return new AuditService(factory, connection, database, eventStream, time ?? TimeProvider.System);
    }

    /// <summary>Publishes as services do: admin events to the events stream, <c>UsageRecorded</c> to the usage stream.</summary>
    public async Task PublishAsync(params SynaxisEvent[] events)
    {
        var publisher = Services.GetRequiredService<EventStreamPublisher>();
        foreach (var @event in events)
        {
            if (@event.Type == UsageRecordedData.EventType)
            {
                // As Routing does: straight onto the usage stream.
                await publisher.AppendAsync(@event, EventStreamKind.Usage);
            }
            else
            {
                // As every outbox relay does.
                var row = new OutboxMessage
                {
                    Id = @event.Id,
                    Type = @event.Type,
                    Payload = @event.ToJson(),
                    OrganizationId = @event.OrganizationId,
                    CreatedAt = @event.OccurredAt,
                };
                Assert.True(await publisher.PublishAsync(row, CancellationToken.None), $"event {@event.Id} was published before");
            }
        }
    }

    /// <summary>Publishes and waits until every event is recorded (as a log row or a usage row).</summary>
    public async Task PublishAndWaitAsync(params SynaxisEvent[] events)
    {
        await PublishAsync(events);
        await WaitForRecordedAsync(events.Select(e => e.Id).ToArray());
    }

    public Task WaitForRecordedAsync(params Guid[] ids) => Eventually.TrueAsync(
        () => WithDbAsync(async db =>
            await db.Logs.CountAsync(l => ids.Contains(l.Id)) + await db.UsageRecords.CountAsync(u => ids.Contains(u.Id)) == ids.Length),
        $"{ids.Length} events to be recorded");

    /// <summary>Runs <paramref name="work"/> with the service's own DbContext (a fresh scope).</summary>
    public async Task<T> WithDbAsync<T>(Func<AuditDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AuditDbContext>());
    }

    /// <summary>Plain SQL against the service's database, as someone with database access (tampering, say) would run it.</summary>
    public async Task<int> ExecuteSqlAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> PartitionExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass(format('audit.%I', $1::text)) IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private T HostedService<T>() => Services.GetServices<IHostedService>().OfType<T>().Single();

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
