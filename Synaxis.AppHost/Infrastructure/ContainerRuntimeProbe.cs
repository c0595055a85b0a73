using System.Diagnostics;

namespace Synaxis.AppHost.Infrastructure;

/// <summary>
/// Asks the container runtime's CLI whether its engine answers. A CLI without an engine (the usual
/// case on CI machines and this project's dev boxes) fails fast, and that means "no runtime".
/// </summary>
public static class ContainerRuntimeProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <param name="runtime">The CLI name, as Aspire's <c>ASPIRE_CONTAINER_RUNTIME</c>: docker or podman.</param>
    public static bool IsHealthy(string? runtime)
    {
        var cli = string.IsNullOrWhiteSpace(runtime) ? "docker" : runtime.Trim();
        try
        {
            using var process = Process.Start(new ProcessStartInfo(cli)
            {
                ArgumentList = { "info", "--format", "{{.ServerVersion}}" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            // Drain both pipes so a chatty CLI cannot block on a full buffer.
            var stdout = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0 && !string.IsNullOrWhiteSpace(stdout.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // the CLI is not installed
        }
    }
}
