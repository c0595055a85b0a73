using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Catalog;

/// <summary>
/// First run: registers the bundled mock upstream as two global providers, <c>mock-free</c> (free) and
/// <c>mock-paid</c> (paid), both serving <c>mock-chat</c> (with the miser aliases) and <c>mock-embedding</c>, so a new
/// user gets a completion at once. On in Development or with <c>Routing:SeedMockProviders=true</c>; idempotent (a
/// provider of that name that exists, even changed or deleted by an admin, is left as it is).
/// </summary>
public sealed partial class MockCatalogSeeder(
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    IHostEnvironment environment,
    ILogger<MockCatalogSeeder> logger) : IHostedService
{
    public const string FreeProvider = "mock-free";
    public const string PaidProvider = "mock-paid";
    public const string ChatModel = "mock-chat";
    public const string EmbeddingModel = "mock-embedding";
    public static readonly IReadOnlyList<string> MiserAliases = ["miser-fast", "miser-intelligence", "miser-coding"];

    /// <summary>The paid mock's prices per 1M tokens (gpt-4o-mini's list prices, so savings look like real ones).</summary>
    public const decimal PaidInputPricePer1M = 0.15m;
    public const decimal PaidOutputPricePer1M = 0.60m;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue("Routing:SeedMockProviders", environment.IsDevelopment()))
        {
            return;
        }
        var baseUrl = configuration["Routing:MockProviderUrl"] ?? "http://mock-provider/v1/";
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        var existing = await db.Providers.IgnoreQueryFilters()
            .Where(p => p.OrganizationId == null && (p.Name == FreeProvider || p.Name == PaidProvider))
            .Select(p => p.Name)
            .ToListAsync(cancellationToken);
        if (!existing.Contains(FreeProvider))
        {
            db.Providers.Add(Mock(FreeProvider, baseUrl, isFree: true, 0m, 0m));
        }
        if (!existing.Contains(PaidProvider))
        {
            db.Providers.Add(Mock(PaidProvider, baseUrl, isFree: false, PaidInputPricePer1M, PaidOutputPricePer1M));
        }
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(cancellationToken);
            LogSeeded(logger, baseUrl);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static Provider Mock(string name, string baseUrl, bool isFree, decimal input, decimal output) => new()
    {
        Name = name,
        Kind = ProviderKinds.OpenAICompatible,
        BaseUrl = baseUrl,
        IsFree = isFree,
        Enabled = true,
        Deployments =
        [
            new Deployment
            {
                Model = ChatModel, UpstreamModel = ChatModel, InputPricePer1M = input, OutputPricePer1M = output,
                ContextWindow = 128_000, Aliases = [.. MiserAliases],
            },
            new Deployment
            {
                Model = EmbeddingModel, UpstreamModel = EmbeddingModel, InputPricePer1M = input / 10, OutputPricePer1M = 0m,
                ContextWindow = 8_192,
            },
        ],
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered the mock upstream at {BaseUrl} as global providers mock-free and mock-paid.")]
    private static partial void LogSeeded(ILogger logger, string baseUrl);
}
