using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Security;

namespace Synaxis.Routing.Catalog;

/// <summary>
/// Keeps <see cref="Current"/> up to date: loaded at startup (before the service takes requests), reloaded when
/// <see cref="CatalogChangeNotifier"/> announces a change (in this process or, through Redis, any other) and every
/// <see cref="RefreshInterval"/> in case an announcement was missed.
/// </summary>
public sealed partial class CatalogCache(
    IServiceScopeFactory scopes,
    ProviderKeyProtector keys,
    CatalogChangeNotifier notifier,
    IServiceProvider services,
    ILogger<CatalogCache> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _reload = new(0);
    private volatile CatalogSnapshot _current = CatalogSnapshot.Empty;

    public CatalogSnapshot Current => _current;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        notifier.Changed += RequestReload;
        try
        {
            await services.GetRequiredService<IConnectionMultiplexer>().GetSubscriber()
                .SubscribeAsync(CatalogChangeNotifier.Channel, (_, _) => RequestReload());
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogSubscribeFailed(logger, exception);
        }
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        notifier.Changed -= RequestReload;
        await base.StopAsync(cancellationToken);
    }

    private void RequestReload()
    {
        if (_reload.CurrentCount == 0)
        {
            _reload.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _reload.WaitAsync(RefreshInterval, stoppingToken);
                await ReloadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException or Npgsql.NpgsqlException or TimeoutException)
            {
                LogReloadFailed(logger, exception);
            }
        }
    }

    /// <summary>Loads the catalog now (tests and the admin API's own instance may await it).</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        var deployments = await db.Deployments.AsNoTracking().Include(d => d.Provider)
            .Where(d => d.Provider!.Enabled && d.Provider.DeletedAt == null)
            .ToListAsync(cancellationToken);
        var strategies = await db.RoutingStrategies.AsNoTracking().ToListAsync(cancellationToken);
        var endpoints = new Dictionary<Guid, ProviderEndpoint>();
        var candidates = new List<RouteCandidate>(deployments.Count);
        foreach (var deployment in deployments)
        {
            var provider = deployment.Provider!;
            if (!endpoints.TryGetValue(provider.Id, out var endpoint))
            {
                if (!Uri.TryCreate(provider.BaseUrl.EndsWith('/') ? provider.BaseUrl : provider.BaseUrl + "/", UriKind.Absolute, out var baseUri))
                {
                    LogBadProvider(logger, provider.Id, "its base URL is not absolute");
                    continue;
                }
                string? apiKey = null;
                if (provider.ProtectedApiKey is { } protectedKey)
                {
                    try
                    {
                        apiKey = keys.Unprotect(protectedKey);
                    }
                    catch (System.Security.Cryptography.CryptographicException)
                    {
                        LogBadProvider(logger, provider.Id, "its API key cannot be decrypted with this key ring");
                        continue;
                    }
                }
                endpoint = new ProviderEndpoint(provider.Id, provider.OrganizationId, provider.Name, provider.Kind, baseUri, apiKey,
                    provider.ApiVersion, provider.IsFree, provider.FreeRequestsPerMinute, provider.FreeRequestsPerDay, provider.FreeTokensPerMinute);
                endpoints[provider.Id] = endpoint;
            }
            candidates.Add(new RouteCandidate(deployment.Id, deployment.OrganizationId, deployment.Model, deployment.UpstreamModel,
                deployment.InputPricePer1M, deployment.OutputPricePer1M, deployment.ContextWindow, deployment.Aliases, endpoint));
        }
        _current = new CatalogSnapshot(candidates, strategies);
        LogLoaded(logger, candidates.Count, endpoints.Count);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Routing catalog loaded: {Deployments} deployments on {Providers} providers.")]
    private static partial void LogLoaded(ILogger logger, int deployments, int providers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {ProviderId} is left out of routing: {Reason}.")]
    private static partial void LogBadProvider(ILogger logger, Guid providerId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reload the routing catalog; the previous one stays in use.")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to catalog changes; changes from other instances arrive with the periodic refresh.")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
