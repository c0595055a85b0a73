using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;
using Synaxis.Testing;

namespace Synaxis.Benchmarks;

/// <summary>
/// One admission (the Lua script over key, user, group and organization, all four limits each) against a
/// real redis-server on loopback: the cost the inference hot path pays per request, one round trip.
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    // Far above what one machine can send, so every call is a full admission (checks and writes at all 16
    // limits), never a refusal; small enough that the script's integer arithmetic stays exact.
    private static readonly LimitPolicy Generous = new(
        RequestsPerMinute: 10_000_000, TokensPerMinute: 10_000_000_000, TokensPerDay: 10_000_000_000_000, MonthlyBudgetUsd: 1_000_000m);

    private RedisServer _server = null!;
    private ConnectionMultiplexer _redis = null!;
    private RedisAdmissionController _controller = null!;
    private AdmissionLevel[] _levels = [];
    private string _organization = "";
    private long _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _server = RedisServer.StartAsync().GetAwaiter().GetResult();
        _redis = ConnectionMultiplexer.Connect(_server.ConnectionString);
        _controller = new RedisAdmissionController(_redis);
        _controller.EnsureLoadedAsync().GetAwaiter().GetResult();
        _organization = Guid.NewGuid().ToString("N");
        _levels =
        [
            new(LimitLevel.Key, Guid.NewGuid().ToString("N"), Generous),
            new(LimitLevel.User, Guid.NewGuid().ToString("N"), Generous),
            new(LimitLevel.Group, Guid.NewGuid().ToString("N"), Generous),
            new(LimitLevel.Organization, _organization, Generous),
        ];
    }

    [Benchmark(Description = "Admit: 4 levels × 4 limits, one EVALSHA")]
    public async Task<bool> Admit()
    {
        var result = await _controller.AdmitAsync(new AdmissionRequest(
            _organization, _levels, EstimatedTokens: 1_100, EstimatedCostMicroUsd: 2_000,
            ReservationId: Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return result.Admitted ? true : throw new InvalidOperationException($"Refused at {result.RefusedLevel}: the benchmark measures admissions.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _redis.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
