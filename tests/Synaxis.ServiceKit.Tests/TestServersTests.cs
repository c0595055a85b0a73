using Npgsql;
using StackExchange.Redis;
using Synaxis.Testing;

namespace Synaxis.ServiceKit.Tests;

/// <summary>The test servers are real: a query and a command reach them.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class TestServersTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Each_created_database_is_separate_and_queryable()
    {
        var first = await infrastructure.Postgres.CreateDatabaseAsync();
        var second = await infrastructure.Postgres.CreateDatabaseAsync();

        Assert.NotEqual(first, second);
        await using var connection = new NpgsqlConnection(first);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);
        Assert.StartsWith("test_", (string)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Redis_requires_its_password_and_answers_with_it()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.Redis.ConnectionString);
        var key = $"test:{Guid.NewGuid():N}";
        await redis.GetDatabase().StringSetAsync(key, "v");
        Assert.Equal("v", (string?)await redis.GetDatabase().StringGetAsync(key));

        var anonymous = ConfigurationOptions.Parse($"127.0.0.1:{infrastructure.Redis.Port}");
        anonymous.AbortOnConnectFail = false;
        await using var unauthenticated = await ConnectionMultiplexer.ConnectAsync(anonymous);
        await Assert.ThrowsAnyAsync<RedisException>(() => unauthenticated.GetDatabase().StringGetAsync(key));
    }
}
