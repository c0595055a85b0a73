using System.Diagnostics;
using System.Globalization;

namespace Synaxis.LoadGen;

/// <summary>
/// Saturation: --workers workers, each sending its next request as soon as its last one has answered, for the warm-up
/// and then the measured seconds. Counted: the requests that complete inside the measured window (so req/s is that
/// count over the window); their latency runs from their own send, which is all a closed loop can tell.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<int> RunAsync(Options options)
    {
        using var client = new LoadClient(options);
        var start = Stopwatch.GetTimestamp();
        var measureStart = start + (long)(options.WarmupSeconds * Stopwatch.Frequency);
        var end = measureStart + (long)(options.DurationSeconds * Stopwatch.Frequency);

        async Task<(List<long> Latencies, int NonSuccess, int Exceptions)> WorkerAsync()
        {
            await Task.Yield();
            var latencies = new List<long>(4096);
            int nonSuccess = 0, exceptions = 0;
            while (true)
            {
                var sent = Stopwatch.GetTimestamp();
                if (sent >= end)
                {
                    break;
                }
                var (outcome, completed) = await client.SendAsync();
                if (completed < measureStart || completed > end)
                {
                    continue;
                }
                switch (outcome)
                {
                    case Outcome.Success:
                        latencies.Add(completed - sent);
                        break;
                    case Outcome.NonSuccess:
                        nonSuccess++;
                        break;
                    default:
                        exceptions++;
                        break;
                }
            }
            return (latencies, nonSuccess, exceptions);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(_ => WorkerAsync()));
        var all = results.SelectMany(r => r.Latencies).ToArray();
        var nonSuccess = results.Sum(r => r.NonSuccess);
        var exceptions = results.Sum(r => r.Exceptions);
        var count = all.Length + nonSuccess + exceptions;
        var rate = count / options.DurationSeconds;
        Report.Print("saturate", options, all, count, nonSuccess, exceptions, rate,
            [new("workers", options.Workers.ToString(CultureInfo.InvariantCulture)), new("connections", options.Connections.ToString(CultureInfo.InvariantCulture))],
            client.FirstFailure);
        Console.WriteLine(FormattableString.Invariant(
            $"  {options.Workers} workers over at most {options.Connections} connections for {options.DurationSeconds:F0} s after {options.WarmupSeconds:F0} s of warm-up"));
        return nonSuccess + exceptions == 0 ? 0 : 1;
    }
}
