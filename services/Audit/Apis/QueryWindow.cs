using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Ingestion;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Audit.Apis;

/// <summary>
/// The <c>from</c>/<c>to</c> of a query: ISO 8601 instants (<c>2026-01-05T10:00:00Z</c>; no offset means UTC) or dates
/// (<c>2026-01-05</c>: <c>from</c> is the day's start, <c>to</c> its end), both ends included, at most
/// <see cref="MaxDays"/> days apart. Every query also constrains the partition dates from them, so PostgreSQL reads
/// only the partitions of the window.
/// </summary>
public sealed record QueryWindow(DateTimeOffset From, DateTimeOffset To)
{
    public const int MaxDays = 366;

    private static readonly TimeSpan Microsecond = TimeSpan.FromTicks(10);

    public DateOnly FromDay => EventMapper.PartitionDateOf(From);

    public DateOnly ToDay => EventMapper.PartitionDateOf(To);

    /// <summary>The window, or the 400 to answer.</summary>
    /// <param name="defaultFrom">The start when <c>from</c> is absent, given the (parsed or defaulted) end.</param>
    public static (QueryWindow? Window, ValidationProblem? Problem) Parse(string? from, string? to, DateTimeOffset now, Func<DateTimeOffset, DateTimeOffset> defaultFrom)
    {
        DateTimeOffset end;
        if (string.IsNullOrWhiteSpace(to))
        {
            end = now;
        }
        else if (ParseInstant(to, endOfDay: true) is { } parsedTo)
        {
            end = parsedTo;
        }
        else
        {
            return (null, Invalid("to", to));
        }

        DateTimeOffset start;
        var explicitStart = !string.IsNullOrWhiteSpace(from);
        if (!explicitStart)
        {
            start = defaultFrom(end);
        }
        else if (ParseInstant(from!, endOfDay: false) is { } parsedFrom)
        {
            start = parsedFrom;
        }
        else
        {
            return (null, Invalid("from", from!));
        }

        if (start > end)
        {
            return (null, Problems.Invalid("from", $"from ({start:O}) is after to ({end:O})."));
        }
        // A default start covers what retention keeps, however long; a window asked for is bounded.
        if (explicitStart && end - start > TimeSpan.FromDays(MaxDays))
        {
            return (null, Problems.Invalid("from", $"The window from {start:O} to {end:O} is longer than {MaxDays} days; ask for a shorter one."));
        }
        return (new QueryWindow(ChainHasher.ToStoredPrecision(start), ChainHasher.ToStoredPrecision(end)), null);
    }

    private static DateTimeOffset? ParseInstant(string value, bool endOfDay)
    {
        value = value.Trim();
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) - Microsecond : start;
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            && value.Contains('T', StringComparison.OrdinalIgnoreCase)
            ? instant
            : null;
    }

    private static ValidationProblem Invalid(string field, string value) =>
        Problems.Invalid(field, $"{field} '{Shorten(value)}' is not an ISO 8601 date (2026-01-05) or instant (2026-01-05T10:00:00Z).");

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
