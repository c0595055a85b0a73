using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Synaxis.Testing;

/// <summary>
/// A server started from one of the AppHost's local-infrastructure scripts, in its own temporary
/// folder, on a free loopback port, with a generated password. Stopped and deleted on dispose.
/// </summary>
public abstract class LocalServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly ProcessStartInfo _start;
    private Process _process;
    private readonly StringBuilder _output = new();

    protected LocalServerProcess(string script, Func<string, string, string[]> arguments)
    {
        Folder = Directory.CreateTempSubdirectory("synaxis-test-").FullName;
        // Temp folders are created 0700; as root, PostgreSQL runs as the postgres user and must enter it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        Password = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var passwordFile = Path.Combine(Folder, "password");
        File.WriteAllText(passwordFile, Password);
        Port = FreeTcpPort();

        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        start.ArgumentList.Add(RepositoryPaths.Script(script));
        foreach (var argument in arguments(Path.Combine(Folder, "data"), passwordFile))
        {
            start.ArgumentList.Add(argument);
        }

        _start = start;
        _process = Start(start);
    }

    private Process Start(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.ArgumentList[0]}.");
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills the server (as a crash would) and waits until it is gone: clients see the port refuse.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the stopped server again on the same port, password and data folder, and waits until it is ready.</summary>
    protected async Task RestartAsync(Func<CancellationToken, Task<bool>> probe)
    {
        await StopAsync();
        _process.Dispose();
        _process = Start(_start);
        await WaitUntilReadyAsync(probe);
    }

    public string Folder { get; }

    public string Password { get; }

    public int Port { get; }

    /// <summary>What the server printed: attached to startup failures.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Kills the server without a clean shutdown, as a crash would.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    protected async Task WaitUntilReadyAsync(Func<CancellationToken, Task<bool>> probe)
    {
        using var timeout = new CancellationTokenSource(StartupTimeout);
        while (!timeout.IsCancellationRequested)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{GetType().Name} exited with {_process.ExitCode}:\n{Output}");
            }
            if (await probe(timeout.Token))
            {
                return;
            }
            await Task.Delay(100, CancellationToken.None);
        }
        throw new TimeoutException($"{GetType().Name} did not become ready in {StartupTimeout}:\n{Output}");
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A server child may still be closing its files; the OS cleans the temp folder eventually.
        }
        GC.SuppressFinalize(this);
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
