using Xunit;

namespace Synaxis.Testing;

/// <summary>
/// One PostgreSQL and one Redis for a test assembly (use as an xunit collection or assembly fixture).
/// Tests isolate themselves with <see cref="PostgresServer.CreateDatabaseAsync"/> and fresh ids.
/// </summary>
public sealed class InfrastructureFixture : IAsyncLifetime
{
    public PostgresServer Postgres { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = PostgresServer.StartAsync();
        var redis = RedisServer.StartAsync();
        Postgres = await postgres;
        Redis = await redis;
    }

    public async Task DisposeAsync()
    {
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
