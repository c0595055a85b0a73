using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.Gateway.Admission;

internal enum AdmissionOutcome
{
    Admitted,
    Refused,

    /// <summary>Redis could not answer and the failure mode (or a budget) says no.</summary>
    Unavailable,
}

/// <summary>One level of one organization: the identity of its counters, here and in Redis.</summary>
internal readonly record struct LevelRef(string OrganizationId, LimitLevel Level, string Id);

/// <summary>An admission's verdict; <see cref="Local"/> when this instance's fallback limiter gave it.</summary>
internal sealed record AdmissionDecision(AdmissionOutcome Outcome, AdmissionResult? Result, bool Local = false, string? Reason = null);

/// <summary>
/// Admission for one inference request: from the caller's lease when a busy caller has one
/// (<see cref="AdmissionLeases"/>, no round trip), else one EVALSHA over every level of the caller (policies read
/// from their mirrors inside the script), bounded by <see cref="AdmissionOptions.RedisTimeout"/>. When Redis fails the
/// <see cref="AdmissionOptions.FailureMode"/> decides, using the policies Redis last returned for each level
/// (<see cref="LastKnownPolicies"/>);
/// after a failure Redis is left alone for <see cref="AdmissionOptions.RetryRedisAfter"/>, then tried again, so
/// recovery needs nobody.
/// </summary>
internal sealed partial class GatewayAdmission(
    RedisAdmissionController controller,
    AdmissionLeases leases,
    LastKnownPolicies lastKnown,
    LocalAdmission local,
    IOptions<AdmissionOptions> options,
    TimeProvider time,
    ILogger<GatewayAdmission> logger)
{
    private long _redisRetryAt;
    private int _degraded;

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    public async ValueTask<AdmissionDecision> AdmitAsync(string organizationId, AdmissionLevel[] levels, long estimatedTokens)
    {
        if (leases.TryAdmit(organizationId, levels, estimatedTokens) is { } leased)
        {
            return new AdmissionDecision(AdmissionOutcome.Admitted, leased);
        }
        var settings = options.Value;
        var now = time.GetTimestamp();
        if (now >= Volatile.Read(ref _redisRetryAt))
        {
            try
            {
                var request = new AdmissionRequest(organizationId, levels, estimatedTokens, 0, Guid.CreateVersion7().ToString("N"));
                var result = await controller.AdmitAsync(request).WaitAsync(settings.RedisTimeout, time);
                lastKnown.Remember(organizationId, levels, result.Policies);
                if (Interlocked.Exchange(ref _degraded, 0) == 1)
                {
                    LogRecovered(logger);
                }
                if (!result.Admitted)
                {
                    // This gateway's lease for the caller may have arrived meanwhile: its block is counted already.
                    return leases.TryAdmit(organizationId, levels, estimatedTokens) is { } leasedAfterAll
                        ? new AdmissionDecision(AdmissionOutcome.Admitted, leasedAfterAll)
                        : new AdmissionDecision(AdmissionOutcome.Refused, result);
                }
                leases.OnAdmittedInRedis(organizationId, levels, estimatedTokens);
                return new AdmissionDecision(AdmissionOutcome.Admitted, result);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidOperationException)
            {
                Volatile.Write(ref _redisRetryAt, time.GetTimestamp() + (long)(settings.RetryRedisAfter.TotalSeconds * time.TimestampFrequency));
                if (Interlocked.Exchange(ref _degraded, 1) == 0)
                {
                    LogDegraded(logger, exception, settings.FailureMode);
                }
            }
        }
        return Fallback(organizationId, levels, estimatedTokens, settings);
    }

    private AdmissionDecision Fallback(string organizationId, AdmissionLevel[] levels, long tokens, AdmissionOptions settings)
    {
        if (settings.FailureMode == AdmissionFailureMode.Closed)
        {
            return new AdmissionDecision(AdmissionOutcome.Unavailable, null, Local: true,
                "Rate limiting is temporarily unavailable and this deployment refuses requests it cannot count. Retry shortly.");
        }
        var keys = new LevelRef[levels.Length];
        var policies = new LimitPolicy[levels.Length];
        for (var i = 0; i < levels.Length; i++)
        {
            keys[i] = new LevelRef(organizationId, levels[i].Level, levels[i].Id);
            policies[i] = lastKnown.Get(keys[i]);
            if (policies[i].MonthlyBudgetUsd is not null)
            {
                return new AdmissionDecision(AdmissionOutcome.Unavailable, null, Local: true,
                    $"The monthly budget of your {levels[i].Level.ToWire()} cannot be checked right now. Retry shortly.");
            }
        }
        var result = local.Admit(keys, levels, policies, tokens, settings.LocalShare);
        return new AdmissionDecision(result.Admitted ? AdmissionOutcome.Admitted : AdmissionOutcome.Refused, result, Local: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not answer an admission; failure mode {Mode} applies until it does.")]
    private static partial void LogDegraded(ILogger logger, Exception exception, AdmissionFailureMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers admissions again; the local fallback is off.")]
    private static partial void LogRecovered(ILogger logger);
}
