using System.Globalization;

namespace Synaxis.LoadGen;

internal enum Mode
{
    Help,
    Rate,
    Saturate,
    BareProxy,
    BareForwarder,
}

/// <summary>The command line. Every value is checked here, so the modes can trust what they get.</summary>
internal sealed class Options
{
    public const string Usage = """
        Synaxis.LoadGen — open-loop HTTP load at a fixed rate, or closed-loop saturation; and the bare comparison chain.

        Load (one of --rate or --saturate):
          --url URL              the target (required)
          --rate N               open loop: N requests/s sent on a fixed timeline whatever the answers do; each
                                 latency runs from the request's scheduled send time (no coordinated omission)
          --saturate             closed loop: --workers workers, each sends its next request when the last answers
          --workers N            saturation workers (default: --connections)
          --duration S           measured seconds (default 20)
          --warmup S             seconds of the same load before the measured ones, not counted (default 5)
          --connections N        most connections open to the target at once (default 64)
          --header "Name: value" a request header (repeatable)
          --body-file PATH       POST this file (Content-Type application/json unless a --header sets it)
          --method VERB          default POST with --body-file, GET without
          --timeout S            per request (default 30): a request past it counts as an error
          --label TEXT           printed with the result
          --latencies-file PATH  (--rate) also write each measured request: scheduled time since the first
                                 measured one, latency (ms) and outcome, one a line, to look at a tail over time

          Prints a summary, then one line "result key=value …" (times in ms) for scripts. Exit 1 when any measured
          request failed (non-2xx or exception).

        Bare chain (each runs until killed):
          --bare-forwarder --listen URL --upstream URL
                                 a minimal Kestrel app: every POST is forwarded (same path and query, the body
                                 streamed) with one pooled HttpClient to the upstream, and the answer streamed back;
                                 GET /alive answers 200
          --bare-proxy --listen URL --upstream URL
                                 a YARP reverse proxy forwarding every path to the upstream
        """;

    public Mode Mode { get; private set; } = Mode.Help;
    public Uri? Url { get; private set; }
    public double Rate { get; private set; }
    public int Workers { get; private set; }
    public double DurationSeconds { get; private set; } = 20;
    public double WarmupSeconds { get; private set; } = 5;
    public int Connections { get; private set; } = 64;
    public List<KeyValuePair<string, string>> Headers { get; } = [];
    public byte[]? Body { get; private set; }
    public HttpMethod Method { get; private set; } = HttpMethod.Get;
    public double TimeoutSeconds { get; private set; } = 30;
    public string Label { get; private set; } = "";
    public string? LatenciesFile { get; private set; }
    public string? Listen { get; private set; }
    public Uri? Upstream { get; private set; }

    public static Options Parse(string[] args)
    {
        var options = new Options();
        string? method = null;
        var modes = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--help" or "-h":
                    options.Mode = Mode.Help;
                    return options;
                case "--url":
                    options.Url = AbsoluteUrl(name, Value());
                    break;
                case "--rate":
                    options.Rate = Positive(name, Value());
                    options.Mode = Mode.Rate;
                    modes++;
                    break;
                case "--saturate":
                    options.Mode = Mode.Saturate;
                    modes++;
                    break;
                case "--workers":
                    options.Workers = (int)Positive(name, Value(), integer: true);
                    break;
                case "--duration":
                    options.DurationSeconds = Positive(name, Value());
                    break;
                case "--warmup":
                    options.WarmupSeconds = NonNegative(name, Value());
                    break;
                case "--connections":
                    options.Connections = (int)Positive(name, Value(), integer: true);
                    break;
                case "--header":
                    var header = Value();
                    var colon = header.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        throw new ArgumentException($"--header wants \"Name: value\", not \"{header}\".");
                    }
                    options.Headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
                    break;
                case "--body-file":
                    var path = Value();
                    options.Body = File.Exists(path) ? File.ReadAllBytes(path) : throw new ArgumentException($"--body-file: {path} does not exist.");
                    break;
                case "--method":
                    method = Value().ToUpperInvariant();
                    break;
                case "--timeout":
                    options.TimeoutSeconds = Positive(name, Value());
                    break;
                case "--label":
                    options.Label = Value();
                    break;
                case "--latencies-file":
                    options.LatenciesFile = Value();
                    break;
                case "--bare-forwarder":
                    options.Mode = Mode.BareForwarder;
                    modes++;
                    break;
                case "--bare-proxy":
                    options.Mode = Mode.BareProxy;
                    modes++;
                    break;
                case "--listen":
                    options.Listen = AbsoluteUrl(name, Value()).ToString();
                    break;
                case "--upstream":
                    options.Upstream = AbsoluteUrl(name, Value());
                    break;
                default:
                    throw new ArgumentException($"Unknown argument: {name}");
            }
        }
        if (modes > 1)
        {
            throw new ArgumentException("Choose one of --rate, --saturate, --bare-forwarder and --bare-proxy.");
        }
        switch (options.Mode)
        {
            case Mode.Rate or Mode.Saturate:
                if (options.Url is null)
                {
                    throw new ArgumentException("--url is required.");
                }
                options.Method = method is not null ? new HttpMethod(method) : options.Body is not null ? HttpMethod.Post : HttpMethod.Get;
                if (options.Workers == 0)
                {
                    options.Workers = options.Connections;
                }
                if (options.Mode == Mode.Rate && options.Rate * (options.WarmupSeconds + options.DurationSeconds) > int.MaxValue / 2)
                {
                    throw new ArgumentException("--rate times the run's length is too many requests.");
                }
                break;
            case Mode.BareForwarder or Mode.BareProxy:
                if (options.Listen is null || options.Upstream is null)
                {
                    throw new ArgumentException("--listen and --upstream are required.");
                }
                break;
        }
        return options;
    }

    private static Uri AbsoluteUrl(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"{name} wants an absolute http(s) URL, not \"{value}\".");

    private static double Positive(string name, string value, bool integer = false) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0 && double.IsFinite(number)
            && (!integer || (number == Math.Floor(number) && number <= int.MaxValue))
            ? number
            : throw new ArgumentException($"{name} wants a positive {(integer ? "integer" : "number")}, not \"{value}\".");

    private static double NonNegative(string name, string value) =>
        value == "0" ? 0 : Positive(name, value);
}
