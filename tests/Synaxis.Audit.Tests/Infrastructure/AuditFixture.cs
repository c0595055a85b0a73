using Synaxis.Testing;

namespace Synaxis.Audit.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL and one Redis for the whole test run, and the Audit service on the real clock shared by the tests
/// that need no clock of their own (each uses fresh organizations, so they stay independent). Tests that move time
/// start their own service (<see cref="StartServiceAsync"/>) with its own database and streams.
/// </summary>
public sealed class AuditFixture : IAsyncLifetime
{
    private readonly InfrastructureFixture _infrastructure = new();

    public AuditService Service { get; private set; } = null!;

    public string RedisConnectionString => _infrastructure.Redis.ConnectionString;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        Service = await StartServiceAsync();
    }

    /// <summary>A new Audit service with its own database and event streams, on <paramref name="time"/> (the real clock if null).</summary>
    public async Task<AuditService> StartServiceAsync(TimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var database = await _infrastructure.Postgres.CreateDatabaseAsync();
        return await AuditService.StartAsync(database, _infrastructure.Redis.ConnectionString, time, settings);
    }

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        await _infrastructure.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AuditCollection : ICollectionFixture<AuditFixture>
{
    public const string Name = "Audit service";
}
