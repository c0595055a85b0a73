using System.Diagnostics;
using System.Text.Json;

namespace Synaxis.AppHost.Tests;

/// <summary>
/// The Aspire manifest is what aspirate deploys: it must name every service, Postgres and Redis,
/// and the copy in deploy/ must match what the AppHost publishes today.
/// </summary>
public sealed class ManifestTests : IDisposable
{
    private static readonly string[] Projects = ["gateway", "identity", "keys", "ratelimit", "routing", "audit", "mock-provider"];
    private readonly string _folder = Directory.CreateTempSubdirectory("synaxis-manifest-").FullName;

    [Fact]
    public async Task Publishing_names_every_service_postgres_and_redis()
    {
        var resources = await PublishAsync();

        foreach (var project in Projects)
        {
            Assert.Equal("project.v0", TypeOf(resources, project));
        }
        Assert.Equal("container.v0", TypeOf(resources, "postgres"));
        Assert.Equal("container.v0", TypeOf(resources, "redis"));
        Assert.True(resources.TryGetProperty("synaxis", out _), "the manifest lacks the synaxis database");

        var gatewayBinding = resources.GetProperty("gateway").GetProperty("bindings").GetProperty("http");
        Assert.True(gatewayBinding.GetProperty("external").GetBoolean());
        Assert.Equal(5080, gatewayBinding.GetProperty("port").GetInt32());

        // The JWT signing key is a generated secret parameter, never a literal in the manifest.
        var jwt = resources.GetProperty("jwt-signing-key").GetProperty("inputs").GetProperty("value");
        Assert.True(jwt.GetProperty("secret").GetBoolean());
        Assert.True(jwt.GetProperty("default").TryGetProperty("generate", out _));
    }

    [Fact]
    public async Task The_committed_manifest_is_current()
    {
        var published = await PublishAsync();
        using var committed = JsonDocument.Parse(await File.ReadAllTextAsync(
            Path.Combine(RepositoryRoot(), "deploy", "aspire-manifest.json")));

        Assert.Equal(
            published.EnumerateObject().Select(r => r.Name).Order(),
            committed.RootElement.GetProperty("resources").EnumerateObject().Select(r => r.Name).Order());
    }

    private static string TypeOf(JsonElement resources, string name)
    {
        Assert.True(resources.TryGetProperty(name, out var resource), $"the manifest lacks '{name}'");
        return resource.GetProperty("type").GetString()!;
    }

    private async Task<JsonElement> PublishAsync()
    {
        var output = Path.Combine(_folder, $"manifest-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "run", "--project", "Synaxis.AppHost", "--no-build", "--launch-profile", "http", "--",
            "--publisher", "manifest", "--output-path", output,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"publishing failed:\n{await stdout}\n{await stderr}");

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        return manifest.RootElement.GetProperty("resources").Clone();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Synaxis.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Synaxis.sln not found above the test output folder.");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
