using Synaxis.AppHost.Infrastructure;

namespace Synaxis.AppHost.Tests;

/// <summary>The probe runs a real process: these tests hand it small scripts standing in for a CLI.</summary>
public sealed class ContainerRuntimeProbeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("synaxis-probe-").FullName;

    [Fact]
    public void A_missing_cli_means_no_runtime() =>
        Assert.False(ContainerRuntimeProbe.IsHealthy(Path.Combine(_folder, "no-such-cli")));

    [Fact]
    public void A_cli_whose_engine_answers_means_a_runtime() =>
        Assert.True(ContainerRuntimeProbe.IsHealthy(WriteCli("echo 28.2.2")));

    [Fact]
    public void A_cli_without_an_engine_means_no_runtime() =>
        Assert.False(ContainerRuntimeProbe.IsHealthy(WriteCli("echo 'Cannot connect to the Docker daemon' >&2; exit 1")));

    [Fact]
    public void The_probe_asks_for_the_server_version()
    {
        var arguments = Path.Combine(_folder, "arguments");
        Assert.True(ContainerRuntimeProbe.IsHealthy(WriteCli($"echo \"$@\" > '{arguments}'; echo 1.0")));
        Assert.Equal("info --format {{.ServerVersion}}", File.ReadAllText(arguments).Trim());
    }

    private string WriteCli(string body)
    {
        var path = Path.Combine(_folder, $"cli-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
