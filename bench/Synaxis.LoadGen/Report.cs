using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Synaxis.LoadGen;

/// <summary>Percentiles (nearest rank, over the sorted latencies of the successful requests) and the printed summary.</summary>
internal static class Report
{
    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>The smallest value at or above which no more than (1 − q) of the sorted values lie.</summary>
    public static long Percentile(long[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Prints the summary and the machine-readable <c>result</c> line.</summary>
    public static void Print(string mode, Options options, long[] successLatencies, int count, int nonSuccess, int exceptions,
        double achievedRate, IEnumerable<KeyValuePair<string, string>> extra, string? firstFailure)
    {
        Array.Sort(successLatencies);
        double P(double q) => Milliseconds(Percentile(successLatencies, q));
        var p50 = P(0.50);
        var p90 = P(0.90);
        var p99 = P(0.99);
        var p999 = P(0.999);
        var max = successLatencies.Length == 0 ? 0 : Milliseconds(successLatencies[^1]);
        var mean = successLatencies.Length == 0 ? 0 : Milliseconds((long)successLatencies.Average());
        var errors = nonSuccess + exceptions;

        var label = options.Label.Length > 0 ? $" [{options.Label}]" : "";
        Console.WriteLine($"{mode}{label}: {options.Method} {options.Url}");
        Console.WriteLine(FormattableString.Invariant(
            $"  requests {count}, errors {errors} (non-2xx {nonSuccess}, exceptions {exceptions}), achieved {achievedRate:F1} req/s"));
        Console.WriteLine(FormattableString.Invariant(
            $"  latency ms: p50 {p50:F3}  p90 {p90:F3}  p99 {p99:F3}  p99.9 {p999:F3}  max {max:F3}  mean {mean:F3}"));
        if (firstFailure is not null)
        {
            Console.WriteLine($"  first failure: {firstFailure}");
        }

        var line = new StringBuilder("result");
        void Add(string key, string value) => line.Append(' ').Append(key).Append('=').Append(value);
        string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
        Add("mode", mode);
        Add("count", count.ToString(CultureInfo.InvariantCulture));
        Add("errors", errors.ToString(CultureInfo.InvariantCulture));
        Add("non2xx", nonSuccess.ToString(CultureInfo.InvariantCulture));
        Add("exceptions", exceptions.ToString(CultureInfo.InvariantCulture));
        Add("rate", achievedRate.ToString("F1", CultureInfo.InvariantCulture));
        Add("p50", F(p50));
        Add("p90", F(p90));
        Add("p99", F(p99));
        Add("p999", F(p999));
        Add("max", F(max));
        Add("mean", F(mean));
        foreach (var (key, value) in extra)
        {
            Add(key, value);
        }
        Console.WriteLine(line.ToString());
    }
}
