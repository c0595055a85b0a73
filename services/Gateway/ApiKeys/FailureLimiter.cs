using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// Failed verifications per key id and per client address, counted in Redis across every gateway (keys contract:
/// INCR with a fixed window). A verify call is admitted only after counting it, and refunded when it succeeds or
/// gets no verdict; so however many wrong secrets arrive for one id, at most <see cref="ApiKeyOptions.FailureLimitPerKey"/>
/// reach bcrypt per window. When Redis cannot count, nothing is admitted: bcrypt is never unguarded.
/// </summary>
internal sealed partial class FailureLimiter
{
    // INCR, and start the window if the counter is new or somehow lost its TTL; answer the count and the ms left.
    private const string CountScript = """
        local count = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return { count, ttl }
        """;

    // Never creates a counter: a DECR on a missing key would leave one without TTL.
    private const string RefundScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
          return redis.call('DECR', KEYS[1])
        end
        return 0
        """;

    private const int MaxLocallyBlocked = 10_000;

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly ILogger<FailureLimiter> _logger;
    private readonly int _limitPerKey;
    private readonly int _limitPerAddress;
    private readonly RedisValue _windowMilliseconds;

    /// <summary>Counters known to be over the limit, until when: floods are answered without a Redis round trip.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedUntil = new(StringComparer.Ordinal);

    public FailureLimiter(IConnectionMultiplexer redis, IOptions<ApiKeyOptions> options, TimeProvider time, ILogger<FailureLimiter> logger)
    {
        _redis = redis;
        _time = time;
        _logger = logger;
        _limitPerKey = options.Value.FailureLimitPerKey;
        _limitPerAddress = options.Value.FailureLimitPerAddress;
        _windowMilliseconds = (long)options.Value.FailureWindow.TotalMilliseconds;
    }

    /// <summary>
    /// The client's address as the limiter counts it: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix),
    /// <see langword="null"/> when unknown (then only the key id is limited).
    /// </summary>
    public static string? AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>
    /// How long the client's address is still known (in process) to be over its limit, or <see langword="null"/>:
    /// checked before anything else, so a blocked address's flood costs no Redis round trip at all.
    /// </summary>
    public TimeSpan? AddressBlockedFor(ApiKeyCandidate candidate) =>
        candidate.ClientAddress is { } address ? BlockedFor(ApiKeyRedisKeys.FailuresByAddress(address), _time.GetUtcNow()) : null;

    /// <summary>
    /// Counts an attempt before a verify call: the verdict is <see cref="ApiKeyVerificationStatus.Valid"/> when admitted.
    /// Without <paramref name="countKey"/> only the address is counted and limited (see <see cref="ApiKeyResolver"/>:
    /// a secret whose SHA-256 is the one known to be right for its id).
    /// </summary>
    public async Task<ApiKeyVerification> AdmitAsync(ApiKeyCandidate candidate, bool countKey = true) =>
        await CountAsync(candidate, countKey) switch
        {
            { Failed: true } => ApiKeyVerification.Unavailable,
            { RetryAfter: { } retryAfter } => ApiKeyVerification.RateLimited(retryAfter),
            _ => new ApiKeyVerification(ApiKeyVerificationStatus.Valid),
        };

    /// <summary>Counts a refusal found in a cache: 429 once over the limit, the refusal itself otherwise.</summary>
    public async Task<ApiKeyVerification> CountRefusalAsync(ApiKeyCandidate candidate, ApiKeyVerificationStatus refusal) =>
        await CountAsync(candidate) is { RetryAfter: { } retryAfter, Failed: false }
            ? ApiKeyVerification.RateLimited(retryAfter)
            : ApiKeyVerification.Refused(refusal);

    /// <summary>Gives back an admitted attempt that turned out valid, or got no verdict.</summary>
    public async Task RefundAsync(ApiKeyCandidate candidate, bool countedKey = true)
    {
        var database = _redis.GetDatabase();
        try
        {
            var byKey = countedKey ? database.ScriptEvaluateAsync(RefundScript, [ApiKeyRedisKeys.Failures(candidate.KeyId)]) : null;
            var byAddress = candidate.ClientAddress is { } address
                ? database.ScriptEvaluateAsync(RefundScript, [ApiKeyRedisKeys.FailuresByAddress(address)])
                : null;
            if (byKey is not null)
            {
                await byKey;
            }
            if (byAddress is not null)
            {
                await byAddress;
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisFailed(_logger, exception);
        }
    }

    private async Task<Count> CountAsync(ApiKeyCandidate candidate, bool countKey = true)
    {
        var keyCounter = countKey ? ApiKeyRedisKeys.Failures(candidate.KeyId) : null;
        var addressCounter = candidate.ClientAddress is { } address ? ApiKeyRedisKeys.FailuresByAddress(address) : null;
        var now = _time.GetUtcNow();
        var blocked = Max(keyCounter is null ? null : BlockedFor(keyCounter, now), addressCounter is null ? null : BlockedFor(addressCounter, now));
        if (blocked is not null)
        {
            return new Count(blocked, Failed: false);
        }

        var database = _redis.GetDatabase();
        try
        {
            var byKey = keyCounter is null ? null : database.ScriptEvaluateAsync(CountScript, [keyCounter], [_windowMilliseconds]);
            var byAddress = addressCounter is null
                ? null
                : database.ScriptEvaluateAsync(CountScript, [addressCounter], [_windowMilliseconds]);
            var retryAfter = byKey is null ? null : Over(keyCounter!, await byKey, _limitPerKey, now);
            if (byAddress is not null)
            {
                retryAfter = Max(retryAfter, Over(addressCounter!, await byAddress, _limitPerAddress, now));
            }
            return new Count(retryAfter, Failed: false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisFailed(_logger, exception);
            return new Count(null, Failed: true);
        }
    }

    /// <summary>How long <paramref name="counter"/> stays over <paramref name="limit"/>, or <see langword="null"/> while under it.</summary>
    private TimeSpan? Over(string counter, RedisResult result, int limit, DateTimeOffset now)
    {
        var values = (RedisResult[])result!;
        var count = (long)values[0];
        if (count <= limit)
        {
            return null;
        }
        var retryAfter = TimeSpan.FromMilliseconds(Math.Max(1, (long)values[1]));
        if (_blockedUntil.Count >= MaxLocallyBlocked)
        {
            _blockedUntil.Clear();
        }
        _blockedUntil[counter] = now + retryAfter;
        if (count == limit + 1)
        {
            LogLimitReached(_logger, counter, limit, retryAfter.TotalSeconds.ToString("0", CultureInfo.InvariantCulture));
        }
        return retryAfter;
    }

    private TimeSpan? BlockedFor(string counter, DateTimeOffset now)
    {
        if (!_blockedUntil.TryGetValue(counter, out var until))
        {
            return null;
        }
        if (until > now)
        {
            return until - now;
        }
        _blockedUntil.TryRemove(new KeyValuePair<string, DateTimeOffset>(counter, until));
        return null;
    }

    private static TimeSpan? Max(TimeSpan? left, TimeSpan? right) =>
        left is null ? right : right is null ? left : left > right ? left : right;

    private readonly record struct Count(TimeSpan? RetryAfter, bool Failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key failure limit {Limit} reached for {Counter}: refusing for {RetryAfterSeconds} s without verifying.")]
    private static partial void LogLimitReached(ILogger logger, string counter, int limit, string retryAfterSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis could not count API key failures; refusing to verify keys until it can.")]
    private static partial void LogRedisFailed(ILogger logger, Exception exception);
}
