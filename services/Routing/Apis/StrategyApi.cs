using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Contracts;
using Synaxis.Routing.Events;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.Routing.Security;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Routing.Apis;

/// <summary>
/// The organization's routing strategy. Everyone in the organization reads it (the default, ULTRA MISER MODE without
/// paid fallback, when none is set); Owners and Admins replace it, which publishes <c>RoutingStrategyChanged</c>.
/// </summary>
public static class StrategyApi
{
    /// <summary>How often a replacement that lost a race with a concurrent first PUT is tried again.</summary>
    private const int MaxAttempts = 3;

    public static RouteGroupBuilder MapStrategyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/routing").WithTags("Routing strategy").RequireCatalogCaller();
        api.MapGet("/strategy", GetAsync);
        api.MapPut("/strategy", PutAsync);
        return api;
    }

    public static async Task<Ok<StrategyResponse>> GetAsync(HttpContext http, RoutingDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.CatalogCaller().OrganizationId;
        var strategy = await db.RoutingStrategies.AsNoTracking().FirstOrDefaultAsync(s => s.OrganizationId == organizationId, cancellationToken);
        return TypedResults.Ok(ToResponse(strategy ?? RoutingStrategy.Default(organizationId)));
    }

    /// <summary>Replaces the strategy with what the body says (absent optional fields: none).</summary>
    public static async Task<Results<Ok<StrategyResponse>, ProblemHttpResult>> PutAsync(
        PutStrategyRequest request,
        HttpContext http,
        RoutingDbContext db,
        IEventOutbox outbox,
        CatalogChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var caller = http.CatalogCaller();
        if (!caller.IsManager)
        {
            return Problems.Forbidden("Only an Owner or Admin may set the routing strategy.");
        }
        for (var attempt = 1; ; attempt++)
        {
            var strategy = await db.RoutingStrategies.FirstOrDefaultAsync(s => s.OrganizationId == caller.OrganizationId, cancellationToken);
            var before = strategy is null ? null : StrategySnapshot.Of(strategy);
            if (strategy is null)
            {
                strategy = RoutingStrategy.Default(caller.OrganizationId);
                db.RoutingStrategies.Add(strategy);
            }
            strategy.Type = request.Type;
            strategy.AllowPaidFallback = request.AllowPaidFallback ?? false;
            strategy.MaxCostPer1M = request.MaxCostPer1M;
            strategy.MinHealthScore = request.MinHealthScore;
            var after = StrategySnapshot.Of(strategy);
            if (before == after)
            {
                return TypedResults.Ok(ToResponse(strategy));
            }
            outbox.StrategyChanged(db, caller.OrganizationId, before, after);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await notifier.NotifyAsync();
                return TypedResults.Ok(ToResponse(strategy));
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // A concurrent first PUT created the row (one live row per organization): apply this one over it.
                db.ChangeTracker.Clear();
                if (attempt == MaxAttempts)
                {
                    return Problems.Conflict("The routing strategy is being changed by another request; try again.");
                }
            }
        }
    }

    private static StrategyResponse ToResponse(RoutingStrategy s) => new(s.Type, s.AllowPaidFallback, s.MaxCostPer1M, s.MinHealthScore);
}
