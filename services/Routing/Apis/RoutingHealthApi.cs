using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Contracts;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.Routing.Security;

namespace Synaxis.Routing.Apis;

/// <summary>
/// The health of every provider the organization sees (its own and the global ones), as last persisted: score,
/// circuit state, recent latency and error rate. A provider never measured reads as healthy with a closed circuit.
/// </summary>
public static class RoutingHealthApi
{
    public static RouteGroupBuilder MapRoutingHealthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/routing").WithTags("Routing health").RequireCatalogCaller();
        api.MapGet("/health", ListAsync);
        return api;
    }

    public static async Task<Ok<ProviderHealthListResponse>> ListAsync(HttpContext http, RoutingDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.CatalogCaller().OrganizationId;
        var providers = await db.Providers.AsNoTracking()
            .Where(p => p.OrganizationId == organizationId || p.OrganizationId == null)
            .OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Select(p => new { p.Id, p.Name })
            .ToListAsync(cancellationToken);
        var ids = providers.Select(p => p.Id).ToList();
        var health = await db.ProviderHealth.AsNoTracking()
            .Where(h => ids.Contains(h.ProviderId))
            .ToDictionaryAsync(h => h.ProviderId, cancellationToken);
        return TypedResults.Ok(new ProviderHealthListResponse(providers
            .Select(p => health.TryGetValue(p.Id, out var h)
                ? new ProviderHealthResponse(p.Id, p.Name, h.Score, h.CircuitState, h.LatencyEwmaMs, h.ErrorRate, h.UpdatedAt)
                : new ProviderHealthResponse(p.Id, p.Name, 1, CircuitStates.Closed, 0, 0, null))
            .ToList()));
    }
}
