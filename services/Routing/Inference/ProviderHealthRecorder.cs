using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Routing.Inference;

/// <summary>
/// <c>ProviderHealthChanged</c>: a provider's circuit opened, half-opened or closed on a Routing instance.
/// Published with the provider's organization (null: a global provider, seen by platform admins).
/// </summary>
public sealed record ProviderHealthChangedData(Guid ProviderId, string Name, string Before, string After, double Score, double LatencyMs, double ErrorRate)
{
    public const string EventType = "ProviderHealthChanged";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProviderHealthChangedData))]
internal sealed partial class ProviderHealthJsonContext : JsonSerializerContext;

/// <summary>
/// Every <see cref="Interval"/>, writes the live health of each provider this instance has called to
/// <c>ProviderHealthStatus</c> (what <c>GET /api/routing/health</c> shows), and when a circuit changed state, a
/// <c>ProviderHealthChanged</c> event in the same transaction (the outbox relays it). Off the request path.
/// </summary>
public sealed partial class ProviderHealthRecorder(
    ProviderHealth health,
    CatalogCache catalog,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<ProviderHealthRecorder> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<Guid, ProviderHealth.Snapshot> _written = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RecordAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException or Npgsql.NpgsqlException or TimeoutException)
                {
                    LogFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes what changed since the last write (tests call it directly).</summary>
    public async Task RecordAsync(CancellationToken cancellationToken = default)
    {
        var changed = health.Tracked
            .Select(id => (Id: id, Now: health.Of(id)))
            .Where(x => !_written.TryGetValue(x.Id, out var before) || before != x.Now)
            .ToList();
        if (changed.Count == 0)
        {
            return;
        }
        var providers = catalog.Current.Candidates.Select(c => c.Provider).DistinctBy(p => p.Id).ToDictionary(p => p.Id);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        var ids = changed.Select(x => x.Id).ToList();
        var rows = await db.ProviderHealth.Where(h => ids.Contains(h.ProviderId)).ToDictionaryAsync(h => h.ProviderId, cancellationToken);
        var now = time.GetUtcNow();
        foreach (var (id, snapshot) in changed)
        {
            if (!providers.TryGetValue(id, out var provider))
            {
                continue; // deleted or disabled since: nothing to show
            }
            if (!rows.TryGetValue(id, out var row))
            {
                db.ProviderHealth.Add(row = new ProviderHealthStatus { ProviderId = id });
            }
            var before = row.CircuitState;
            row.Score = snapshot.Score;
            row.CircuitState = snapshot.CircuitState;
            row.LatencyEwmaMs = snapshot.LatencyEwmaMs;
            row.ErrorRate = snapshot.ErrorRate;
            row.UpdatedAt = now;
            if (before != snapshot.CircuitState)
            {
                db.AddEvent(ProviderHealthChangedData.EventType, provider.OrganizationId,
                    new ProviderHealthChangedData(id, provider.Name, before, snapshot.CircuitState, snapshot.Score, snapshot.LatencyEwmaMs, snapshot.ErrorRate),
                    ProviderHealthJsonContext.Default.ProviderHealthChangedData, EventOrigin.System, time);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (id, snapshot) in changed)
        {
            _written[id] = snapshot;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record provider health; retrying at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
