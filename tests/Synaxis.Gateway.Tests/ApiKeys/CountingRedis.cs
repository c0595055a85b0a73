using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.ApiKeys;

/// <summary>
/// A pass-through <see cref="IConnectionMultiplexer"/> whose databases record every command's Redis keys, so a test
/// can tell whether a request cost a Redis round trip.
/// </summary>
public class CountingRedis : DispatchProxy
{
    private object _target = null!;
    private ConcurrentQueue<string> _keys = null!;

    /// <summary>Every Redis key a database command named, in order.</summary>
    public static (IConnectionMultiplexer Redis, ConcurrentQueue<string> Keys) Wrap(IConnectionMultiplexer redis)
    {
        var keys = new ConcurrentQueue<string>();
        return (Create<IConnectionMultiplexer>(redis, keys), keys);
    }

    private static T Create<T>(T target, ConcurrentQueue<string> keys)
        where T : class
    {
        var proxy = Create<T, CountingRedis>();
        var counting = (CountingRedis)(object)proxy;
        counting._target = target;
        counting._keys = keys;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (_target is IDatabase)
        {
            foreach (var arg in args ?? [])
            {
                switch (arg)
                {
                    case RedisKey key:
                        _keys.Enqueue(key.ToString());
                        break;
                    case RedisKey[] keys:
                        foreach (var each in keys)
                        {
                            _keys.Enqueue(each.ToString());
                        }
                        break;
                }
            }
        }
        object? result;
        try
        {
            result = targetMethod.Invoke(_target, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
            throw;
        }
        return result is IDatabase database && targetMethod.Name == nameof(IConnectionMultiplexer.GetDatabase)
            ? Create(database, _keys)
            : result;
    }
}

/// <summary>A gateway whose Redis connection is a <see cref="CountingRedis"/>.</summary>
public sealed class CountingRedisGateway(IReadOnlyDictionary<string, string?> settings, string redisConnectionString)
    : KestrelServiceFactory<Program>(settings)
{
    private readonly ConnectionMultiplexer _redis = ConnectionMultiplexer.Connect(redisConnectionString);
    private ConcurrentQueue<string>? _keys;

    public ConcurrentQueue<string> Keys => _keys ?? throw new InvalidOperationException("Not started.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var (redis, keys) = CountingRedis.Wrap(_redis);
            _keys = keys;
            services.AddSingleton(redis);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
