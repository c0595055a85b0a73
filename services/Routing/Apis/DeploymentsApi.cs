using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
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
/// Deployments: which public model names a provider serves, under which upstream name and at which prices. An
/// organization's deployment uses one of its own providers or a global one; a global deployment (platform
/// administrators) only a global provider. Visibility and rights are the providers' (see <see cref="ProvidersApi"/>);
/// a provider the caller cannot see is answered as unknown (400 on <c>providerId</c>), whoever owns it.
/// </summary>
public static class DeploymentsApi
{
    public static RouteGroupBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/routing").WithTags("Routing deployments").RequireCatalogCaller();
        api.MapGet("/deployments", ListAsync);
        api.MapPost("/deployments", CreateAsync);
        api.MapGet("/deployments/{id:guid}", GetAsync);
        api.MapPatch("/deployments/{id:guid}", UpdateAsync);
        api.MapDelete("/deployments/{id:guid}", DeleteAsync);
        return api;
    }

    /// <summary>The organization's deployments and the global ones, by model.</summary>
    public static async Task<Ok<DeploymentListResponse>> ListAsync(HttpContext http, RoutingDbContext db, CancellationToken cancellationToken)
    {
        var deployments = await Visible(db, http.CatalogCaller()).AsNoTracking()
            .OrderBy(d => d.Model).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new DeploymentListResponse(deployments.Select(ToResponse).ToList()));
    }

    public static async Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, RoutingDbContext db, CancellationToken cancellationToken)
    {
        var deployment = await Visible(db, http.CatalogCaller()).AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        return deployment is null ? DeploymentNotFound() : TypedResults.Ok(ToResponse(deployment));
    }

    public static async Task<Results<Created<DeploymentResponse>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        CreateDeploymentRequest request,
        HttpContext http,
        RoutingDbContext db,
        IEventOutbox outbox,
        CatalogChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var caller = http.CatalogCaller();
        var global = request.Global == true;
        if (caller.RefuseChange(global, "deployments") is { } refused)
        {
            return refused;
        }
        if (await CheckProviderAsync(db, caller, request.ProviderId!.Value, global, cancellationToken) is { } invalid)
        {
            return invalid;
        }
        var deployment = new Deployment
        {
            OrganizationId = global ? null : caller.OrganizationId,
            ProviderId = request.ProviderId.Value,
            Model = request.Model,
            UpstreamModel = request.UpstreamModel,
            InputPricePer1M = request.InputPricePer1M!.Value,
            OutputPricePer1M = request.OutputPricePer1M!.Value,
            ContextWindow = request.ContextWindow,
            Aliases = request.Aliases?.ToList() ?? [],
        };
        db.Deployments.Add(deployment);
        outbox.DeploymentChanged(db, RoutingEventTypes.DeploymentCreated, null, DeploymentSnapshot.Of(deployment));
        await db.SaveChangesAsync(cancellationToken);
        await notifier.NotifyAsync();
        return TypedResults.Created($"/api/routing/deployments/{deployment.Id}", ToResponse(deployment));
    }

    /// <summary>Changes what the body names (see <see cref="UpdateDeploymentRequest"/>); nothing changed: no write, no event.</summary>
    public static async Task<Results<Ok<DeploymentResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id,
        UpdateDeploymentRequest request,
        HttpContext http,
        RoutingDbContext db,
        IEventOutbox outbox,
        CatalogChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var caller = http.CatalogCaller();
        var deployment = await Visible(db, caller).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (deployment is null)
        {
            return DeploymentNotFound();
        }
        var global = deployment.OrganizationId is null;
        if (caller.RefuseChange(global, "deployments") is { } refused)
        {
            return refused;
        }
        if (request.Global is { } sentGlobal && sentGlobal != global)
        {
            return Problems.Invalid("global", "A deployment cannot move between an organization and the global catalog; create a new one.");
        }
        if (request.ProviderId is { } providerId && providerId != deployment.ProviderId
            && await CheckProviderAsync(db, caller, providerId, global, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var before = DeploymentSnapshot.Of(deployment);
        deployment.ProviderId = request.ProviderId ?? deployment.ProviderId;
        deployment.Model = request.Model ?? deployment.Model;
        deployment.UpstreamModel = request.UpstreamModel ?? deployment.UpstreamModel;
        deployment.InputPricePer1M = request.InputPricePer1M ?? deployment.InputPricePer1M;
        deployment.OutputPricePer1M = request.OutputPricePer1M ?? deployment.OutputPricePer1M;
        deployment.ContextWindow = request.ContextWindow ?? deployment.ContextWindow;
        if (request.Aliases is not null)
        {
            deployment.Aliases = [.. request.Aliases];
        }
        var after = DeploymentSnapshot.Of(deployment);
        if (after.SameAs(before))
        {
            return TypedResults.Ok(ToResponse(deployment));
        }
        outbox.DeploymentChanged(db, RoutingEventTypes.DeploymentUpdated, before, after);
        await db.SaveChangesAsync(cancellationToken);
        await notifier.NotifyAsync();
        return TypedResults.Ok(ToResponse(deployment));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id,
        HttpContext http,
        RoutingDbContext db,
        IEventOutbox outbox,
        CatalogChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var caller = http.CatalogCaller();
        var deployment = await Visible(db, caller).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (deployment is null)
        {
            return DeploymentNotFound();
        }
        if (caller.RefuseChange(deployment.OrganizationId is null, "deployments") is { } refused)
        {
            return refused;
        }
        db.Deployments.Remove(deployment);
        outbox.DeploymentChanged(db, RoutingEventTypes.DeploymentDeleted, DeploymentSnapshot.Of(deployment), null);
        await db.SaveChangesAsync(cancellationToken);
        await notifier.NotifyAsync();
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The provider must be one the caller sees (their organization's or a global one), and global for a global
    /// deployment. Unknown, deleted and other organizations' providers get the same answer: no oracle for ids.
    /// </summary>
    private static async Task<ValidationProblem?> CheckProviderAsync(
        RoutingDbContext db, CatalogCaller caller, Guid providerId, bool globalDeployment, CancellationToken cancellationToken)
    {
        var provider = await db.Providers.AsNoTracking()
            .Where(p => p.Id == providerId && (p.OrganizationId == caller.OrganizationId || p.OrganizationId == null))
            .Select(p => new { p.OrganizationId })
            .FirstOrDefaultAsync(cancellationToken);
        if (provider is null)
        {
            return Problems.Invalid("providerId", "providerId must be a provider of your organization or a global one; this one is unknown.");
        }
        if (globalDeployment && provider.OrganizationId is not null)
        {
            return Problems.Invalid("providerId", "A global deployment must use a global provider.");
        }
        return null;
    }

    private static IQueryable<Deployment> Visible(RoutingDbContext db, CatalogCaller caller) =>
        db.Deployments.Where(d => d.OrganizationId == caller.OrganizationId || d.OrganizationId == null);

    private static ProblemHttpResult DeploymentNotFound() => Problems.NotFound("The deployment");

    private static DeploymentResponse ToResponse(Deployment d) => new(
        d.Id, d.OrganizationId, d.OrganizationId is null, d.ProviderId, d.Model, d.UpstreamModel, d.InputPricePer1M, d.OutputPricePer1M,
        d.ContextWindow, d.Aliases, d.CreatedAt, d.UpdatedAt);
}
