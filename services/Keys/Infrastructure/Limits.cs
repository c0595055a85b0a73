namespace Synaxis.Keys.Infrastructure;

/// <summary>Sizes the API validates and the schema enforces.</summary>
public static class Limits
{
    public const int NameLength = 100;
    public const int MaxAllowedModels = 50;
    public const int ModelNameLength = 200;

    /// <summary>The most keys one page of the list holds.</summary>
    public const int MaxPageSize = 100;

    /// <summary>A rotated key keeps working for at most 7 days.</summary>
    public const int MaxGracePeriodSeconds = 7 * 24 * 60 * 60;

    /// <summary>bcrypt's output: <c>$2a$12$</c> + 53 characters.</summary>
    public const int SecretHashLength = 60;
}

internal static class TimestampPrecision
{
    /// <summary>
    /// PostgreSQL keeps microseconds, .NET 100-nanosecond ticks: rounding down before storing or answering
    /// keeps what an answer says equal to what a later read returns.
    /// </summary>
    public static DateTimeOffset ToDatabasePrecision(this DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
