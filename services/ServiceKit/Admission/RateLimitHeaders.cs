using System.Globalization;
using System.Text;

namespace Synaxis.ServiceKit.Admission;

/// <summary>The 429 body's error code and type (OpenAI's shapes).</summary>
public sealed record RateLimitRefusal(int StatusCode, string Code, string Type, string Message);

/// <summary>Turns an <see cref="AdmissionResult"/> into OpenAI-style headers and the refusal shape. Pure.</summary>
public static class RateLimitHeaders
{
    public const string LimitRequests = "x-ratelimit-limit-requests";
    public const string RemainingRequests = "x-ratelimit-remaining-requests";
    public const string ResetRequests = "x-ratelimit-reset-requests";
    public const string LimitTokens = "x-ratelimit-limit-tokens";
    public const string RemainingTokens = "x-ratelimit-remaining-tokens";
    public const string ResetTokens = "x-ratelimit-reset-tokens";
    public const string RetryAfter = "retry-after";
    public const string RetryAfterMs = "retry-after-ms";

    /// <summary>
    /// x-ratelimit-* of the tightest requests and tokens limits (omitted when none applies); on refusal also
    /// retry-after (whole seconds, rounded up) and retry-after-ms.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(AdmissionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var headers = new List<KeyValuePair<string, string>>(8);
        if (result.Requests is { } requests)
        {
            headers.Add(new(LimitRequests, Number(requests.Limit)));
            headers.Add(new(RemainingRequests, Number(requests.Remaining)));
            headers.Add(new(ResetRequests, Duration(requests.Reset)));
        }
        if (result.Tokens is { } tokens)
        {
            headers.Add(new(LimitTokens, Number(tokens.Limit)));
            headers.Add(new(RemainingTokens, Number(tokens.Remaining)));
            headers.Add(new(ResetTokens, Duration(tokens.Reset)));
        }
        if (!result.Admitted && result.RetryAfter is { } retry)
        {
            var ms = (long)Math.Ceiling(retry.TotalMilliseconds);
            headers.Add(new(RetryAfter, Number(Math.Max(1, (ms + 999) / 1000))));
            headers.Add(new(RetryAfterMs, Number(ms)));
        }
        return headers;
    }

    /// <summary>Null when admitted; else 429 with <c>insufficient_quota</c> for a spent budget, <c>rate_limit_exceeded</c> otherwise.</summary>
    public static RateLimitRefusal? Refusal(AdmissionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Admitted)
        {
            return null;
        }
        var level = result.RefusedLevel?.ToWire() ?? "unknown";
        if (result.RefusedKind == LimitKind.Budget)
        {
            return new RateLimitRefusal(429, "insufficient_quota", "insufficient_quota",
                $"The monthly budget of the {level} is spent.");
        }
        var kind = result.RefusedKind switch
        {
            LimitKind.Requests => "requests per minute",
            LimitKind.Tokens => "tokens per minute",
            LimitKind.TokensDay => "tokens per day",
            _ => "rate",
        };
        var when = result.RetryAfter is { } r ? $" Try again in {Duration(r)}." : " The request exceeds the limit on its own.";
        return new RateLimitRefusal(429, "rate_limit_exceeded", "requests",
            $"Rate limit reached for {kind} at the {level} level.{when}");
    }

    /// <summary>OpenAI's duration style: <c>20ms</c>, <c>1.2s</c>, <c>6m0s</c>, <c>1h2m3s</c>.</summary>
    public static string Duration(TimeSpan value)
    {
        var ms = Math.Max(0, (long)Math.Ceiling(value.TotalMilliseconds));
        if (ms < 1000)
        {
            return Number(ms) + "ms";
        }
        var sb = new StringBuilder();
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var secondsMs = ms % 60_000;
        if (hours > 0)
        {
            sb.Append(Number(hours)).Append('h');
        }
        if (hours > 0 || minutes > 0)
        {
            sb.Append(Number(minutes)).Append('m');
        }
        var seconds = (secondsMs / 1000m).ToString("0.###", CultureInfo.InvariantCulture);
        sb.Append(seconds).Append('s');
        return sb.ToString();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
