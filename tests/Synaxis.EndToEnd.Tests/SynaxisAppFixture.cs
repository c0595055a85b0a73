using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Synaxis.EndToEnd.Tests;

/// <summary>
/// Starts the whole AppHost once per test run, in local-infrastructure mode, with its own throwaway
/// data folder and a random gateway port, so it runs beside a developer's own instance.
/// </summary>
public sealed class SynaxisAppFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["identity", "keys", "ratelimit", "routing", "audit"];
    public static readonly string[] Resources = ["postgres", "synaxis", "redis", "mock-provider", .. Services, "gateway"];

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(5);
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"synaxis-e2e-{Guid.NewGuid():N}");

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartupTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Synaxis_AppHost>(
            [
                "Synaxis:Infrastructure=local",
                $"Synaxis:DataPath={_dataPath}",
                "Synaxis:GatewayPort=0",
            ],
            cts.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning));
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());

        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }
    }

    public HttpClient CreateGatewayClient() => App.CreateHttpClient("gateway", "http");

    /// <summary>An access token of a newly registered user, owner of a new organization.</summary>
    public async Task<string> GetAccessTokenAsync()
    {
        using var client = CreateGatewayClient();
        using var response = await client.PostAsJsonAsync("/api/identity/auth/register", new
        {
            email = $"fixture-{Guid.NewGuid():N}@example.test",
            password = "correct horse battery staple",
            displayName = "Fixture",
            organizationName = "Fixture Org",
        });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("accessToken").GetString()!;
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SynaxisAppCollection : ICollectionFixture<SynaxisAppFixture>
{
    public const string Name = "Synaxis app";
}
