using StackExchange.Redis;
using Synaxis.Routing.Catalog;

namespace Synaxis.Routing.Inference;

/// <summary>
/// A free provider's own quotas (requests per minute and per day, tokens per minute), counted in Redis across every
/// Routing instance, so an exhausted free tier is skipped before it answers 429. Fixed UTC windows, like the
/// providers' own. A Redis failure lets the call through (the provider's own 429 then moves on).
/// </summary>
public sealed partial class FreeTierQuota(IConnectionMultiplexer redis, TimeProvider time, ILogger<FreeTierQuota> logger)
{
    // KEYS: requests this minute, requests today, tokens this minute; ARGV: rpm, rpd, tpm ('' = none).
    private const string TakeScript = """
        local function over(key, limit)
          if limit == '' then return false end
          return tonumber(redis.call('GET', key) or '0') >= tonumber(limit)
        end
        if over(KEYS[1], ARGV[1]) or over(KEYS[2], ARGV[2]) or over(KEYS[3], ARGV[3]) then return 0 end
        if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], 61000) end
        if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], 86401000) end
        return 1
        """;

    public static bool HasQuota(ProviderEndpoint provider) =>
        provider.IsFree && (provider.FreeRequestsPerMinute is not null || provider.FreeRequestsPerDay is not null || provider.FreeTokensPerMinute is not null);

    /// <summary>Counts one request if the provider has quota left; false when it is exhausted.</summary>
    public async ValueTask<bool> TryTakeAsync(ProviderEndpoint provider)
    {
        if (!HasQuota(provider))
        {
            return true;
        }
        var (minute, day) = Windows();
        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(TakeScript,
                [Key(provider, "rpm", minute), Key(provider, "rpd", day), Key(provider, "tpm", minute)],
                [Limit(provider.FreeRequestsPerMinute), Limit(provider.FreeRequestsPerDay), Limit(provider.FreeTokensPerMinute)]);
            return (long)result == 1;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogUnavailable(logger, exception, provider.Name);
            return true;
        }
    }

    /// <summary>Adds an answer's tokens to the provider's minute (after the fact: a request's size is known only then).</summary>
    public void AddTokens(ProviderEndpoint provider, long tokens)
    {
        if (!HasQuota(provider) || provider.FreeTokensPerMinute is null || tokens <= 0)
        {
            return;
        }
        var key = Key(provider, "tpm", Windows().Minute);
        var db = redis.GetDatabase();
        _ = db.StringIncrementAsync(key, tokens, CommandFlags.FireAndForget);
        _ = db.KeyExpireAsync(key, TimeSpan.FromSeconds(61), CommandFlags.FireAndForget);
    }

    private (long Minute, long Day) Windows()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return (now / 60, now / 86_400);
    }

    private static RedisKey Key(ProviderEndpoint provider, string kind, long window) =>
        $"routing:{{free:{provider.Id}}}:{kind}:{window}";

    private static RedisValue Limit(int? limit) => limit is { } value ? value : RedisValue.EmptyString;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Free-tier quota of {Provider} not checked: Redis did not answer.")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string provider);
}
