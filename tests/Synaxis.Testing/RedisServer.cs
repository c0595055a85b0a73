using StackExchange.Redis;

namespace Synaxis.Testing;

/// <summary>A throwaway redis-server (this machine's binary, as the AppHost's local mode runs it).</summary>
public sealed class RedisServer : LocalServerProcess
{
    private RedisServer()
        : base("redis-local.sh", (data, password) => [data, password])
    {
    }

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        try
        {
            await server.WaitUntilReadyAsync(server.CanPingAsync);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a stopped server again (same port, password and data: its append-only file survives).</summary>
    public Task RestartAsync() => RestartAsync(CanPingAsync);

    /// <summary>The connection string shape the AppHost hands to services.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    private async Task<bool> CanPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var options = ConfigurationOptions.Parse(ConnectionString);
            options.AbortOnConnectFail = true;
            options.ConnectTimeout = 1000;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }
}
