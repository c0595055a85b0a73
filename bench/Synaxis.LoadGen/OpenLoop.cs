using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Synaxis.LoadGen;

/// <summary>
/// A fixed offered rate: request i is due at start + i / rate, and is sent then whether or not the earlier ones have
/// answered (so a slow answer never delays the next send, and a stall shows up in every request it holds back). Each
/// latency runs from the request's scheduled time, not from when it actually left: if the sender itself fell behind,
/// or every connection was busy, that wait is counted too. The warm-up is the same timeline, not counted.
/// </summary>
internal static class OpenLoop
{
    public static Task<int> RunAsync(Options options)
    {
        using var client = new LoadClient(options);
        var rate = options.Rate;
        var warmupCount = (int)Math.Round(options.WarmupSeconds * rate);
        var measuredCount = Math.Max(1, (int)Math.Round(options.DurationSeconds * rate));
        var total = warmupCount + measuredCount;
        var latencies = new long[measuredCount];
        var completedAt = new long[measuredCount];
        var lags = new long[measuredCount];
        var outcomes = new Outcome[measuredCount];
        var done = 0;
        var inFlight = 0;
        var maxInFlight = 0;
        var interval = Stopwatch.Frequency / rate;
        long start = 0;

        async Task FireAsync(int index, long scheduled)
        {
            var now = Interlocked.Increment(ref inFlight);
            var max = Volatile.Read(ref maxInFlight);
            while (now > max && Interlocked.CompareExchange(ref maxInFlight, now, max) != max)
            {
                max = Volatile.Read(ref maxInFlight);
            }
            var (outcome, completed) = await client.SendAsync();
            var measured = index - warmupCount;
            if (measured >= 0)
            {
                latencies[measured] = completed - scheduled;
                completedAt[measured] = completed;
                outcomes[measured] = outcome; // published by the Interlocked.Increment of done below
            }
            Interlocked.Decrement(ref inFlight);
            Interlocked.Increment(ref done);
        }

        // One dedicated thread keeps the timeline; the synchronous start of each send (writing the request on a free
        // connection) runs on it, the rest of the request on the thread pool.
        var sender = new Thread(() =>
        {
            start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
            for (var i = 0; i < total; i++)
            {
                var scheduled = start + (long)(i * interval);
                Sleeper.Until(scheduled);
                if (i >= warmupCount)
                {
                    lags[i - warmupCount] = Stopwatch.GetTimestamp() - scheduled;
                }
                _ = FireAsync(i, scheduled);
            }
        })
        {
            Name = "open-loop sender",
            IsBackground = true,
            Priority = ThreadPriority.AboveNormal,
        };
        sender.Start();
        sender.Join();

        // The stragglers: the client's timeout ends each of them, so this wait is bounded.
        var deadline = Stopwatch.GetTimestamp() + (long)((options.TimeoutSeconds + 5) * Stopwatch.Frequency);
        while (Volatile.Read(ref done) < total && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(10);
        }

        var success = new List<long>(measuredCount);
        int nonSuccess = 0, exceptions = 0;
        long lastCompleted = 0;
        for (var i = 0; i < measuredCount; i++)
        {
            switch (outcomes[i])
            {
                case Outcome.Success:
                    success.Add(latencies[i]);
                    break;
                case Outcome.NonSuccess:
                    nonSuccess++;
                    break;
                default: // an exception, or never finished
                    exceptions++;
                    break;
            }
            lastCompleted = Math.Max(lastCompleted, completedAt[i]);
        }
        var measureStart = start + (long)(warmupCount * interval);
        if (options.LatenciesFile is { } path)
        {
            using var file = new StreamWriter(path);
            file.WriteLine("scheduled_ms latency_ms outcome");
            for (var i = 0; i < measuredCount; i++)
            {
                file.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Report.Milliseconds((long)(i * interval)):F3} {Report.Milliseconds(latencies[i]):F3} {outcomes[i]}"));
            }
        }
        var elapsed = Report.Milliseconds(lastCompleted - measureStart) / 1000;
        var achieved = elapsed > 0 ? measuredCount / elapsed : 0;

        Array.Sort(lags);
        string Ms(long ticks) => Report.Milliseconds(ticks).ToString("F3", CultureInfo.InvariantCulture);
        var extra = new KeyValuePair<string, string>[]
        {
            new("offered", rate.ToString("F1", CultureInfo.InvariantCulture)),
            new("max_inflight", maxInFlight.ToString(CultureInfo.InvariantCulture)),
            new("send_lag_p50", Ms(Report.Percentile(lags, 0.50))),
            new("send_lag_p99", Ms(Report.Percentile(lags, 0.99))),
            new("send_lag_max", Ms(lags[^1])),
        };
        Report.Print("rate", options, [.. success], measuredCount, nonSuccess, exceptions, achieved, extra, client.FirstFailure);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  offered {rate:F0} req/s for {options.DurationSeconds:F0} s after {options.WarmupSeconds:F0} s of warm-up; at most {maxInFlight} in flight; sends left {extra[2].Value} ms (p50), {extra[3].Value} ms (p99), {extra[4].Value} ms (max) after their scheduled time"));
        return Task.FromResult(nonSuccess + exceptions == 0 ? 0 : 1);
    }
}

/// <summary>Sleeps to a Stopwatch timestamp with sub-millisecond precision (nanosleep) where the OS has it.</summary>
internal static class Sleeper
{
    private static readonly bool HasNanosleep = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    public static void Until(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }
            if (HasNanosleep)
            {
                var nanoseconds = (long)(remaining * (1e9 / Stopwatch.Frequency));
                var span = new Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
                _ = nanosleep(ref span, IntPtr.Zero);
            }
            else if (remaining > Stopwatch.Frequency / 500)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int nanosleep(ref Timespec duration, IntPtr remaining);
}
