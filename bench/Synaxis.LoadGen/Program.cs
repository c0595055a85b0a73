using System.Globalization;
using Synaxis.LoadGen;

// Synaxis.LoadGen — see Options.Usage, or bench/README.md.
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

switch (options.Mode)
{
    case Mode.Help:
        Console.WriteLine(Options.Usage);
        return 0;
    case Mode.BareForwarder:
        await BareChain.RunForwarderAsync(options.Listen!, options.Upstream!);
        return 0;
    case Mode.BareProxy:
        await BareChain.RunProxyAsync(options.Listen!, options.Upstream!);
        return 0;
    case Mode.Saturate:
        return await ClosedLoop.RunAsync(options);
    default:
        return await OpenLoop.RunAsync(options);
}
