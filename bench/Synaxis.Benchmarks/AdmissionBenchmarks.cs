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
    private AdmissionLevel[] _mirroredLevels = [];
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
        // The gateway's way: no policy passed, the script reads each level's mirror (written as the RateLimit service does).
        _mirroredLevels = [.. _levels.Select(level => level with { Policy = null })];
        new PolicyMirrorWriter(_redis).WriteAsync(
            [.. _levels.Select(level => new PolicyMirrorEntry(_organization, level.Level, level.Id, Generous, false, 1))]).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Admit: 4 levels × 4 limits, one EVALSHA")]
    public async Task<bool> Admit()
    {
        var result = await _controller.AdmitAsync(new AdmissionRequest(
            _organization, _levels, EstimatedTokens: 1_100, EstimatedCostMicroUsd: 2_000,
            ReservationId: Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return result.Admitted ? true : throw new InvalidOperationException($"Refused at {result.RefusedLevel}: the benchmark measures admissions.");
    }

    [Benchmark(Description = "Admit: 4 levels × 4 limits read from their Redis mirrors, one EVALSHA")]
    public async Task<bool> AdmitWithMirroredPolicies()
    {
        var result = await _controller.AdmitAsync(new AdmissionRequest(
            _organization, _mirroredLevels, EstimatedTokens: 1_100, EstimatedCostMicroUsd: 0,
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
