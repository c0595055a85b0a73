using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Contracts;
using Synaxis.Routing.Events;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Model;
using Synaxis.Routing.Security;
using Synaxis.Routing.Upstream;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Routing.Apis;

/// <summary>
/// Upstream providers: the organization's own and the global ones (<c>organizationId: null</c>, <c>global: true</c>).
/// Everyone in the organization reads both; Owners and Admins change the organization's, platform administrators the
/// global ones. Another organization's provider answers 404, as an unknown id. The API key is write-only: stored
/// encrypted, answered only as <c>hasApiKey</c>. An organization's provider must be on the public internet: a base URL
/// on <c>localhost</c> or a non-public IP literal is refused (see <see cref="PublicAddress"/>) unless
/// <c>Routing:CustomProviders:AllowPrivateNetworks</c>. Every change publishes its event in the same transaction, then
/// tells every Routing instance to reload its catalog.
/// </summary>
public static class ProvidersApi
{
    public static RouteGroupBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/routing").WithTags("Routing providers").RequireCatalogCaller();
        api.MapGet("/providers", ListAsync);
        api.MapPost("/providers", CreateAsync);
        api.MapGet("/providers/{id:guid}", GetAsync);
        api.MapPatch("/providers/{id:guid}", UpdateAsync);
        api.MapDelete("/providers/{id:guid}", DeleteAsync);
        return api;
    }

    /// <summary>The organization's providers and the global ones, by name.</summary>
    public static async Task<Ok<ProviderListResponse>> ListAsync(HttpContext http, RoutingDbContext db, CancellationToken cancellationToken)
    {
        var providers = await Visible(db, http.CatalogCaller()).AsNoTracking()
            .OrderBy(p => p.Name).ThenBy(p => p.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ProviderListResponse(providers.Select(ToResponse).ToList()));
    }

    public static async Task<Results<Ok<ProviderResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, RoutingDbContext db, CancellationToken cancellationToken)
    {
        var provider = await Visible(db, http.CatalogCaller()).AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        return provider is null ? ProviderNotFound() : TypedResults.Ok(ToResponse(provider));
    }

    /// <summary>Adds a provider to the organization, or with <c>global: true</c> (platform administrators) to every one.</summary>
    public static async Task<Results<Created<ProviderResponse>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        CreateProviderRequest request,
        HttpContext http,
        RoutingDbContext db,
        ProviderKeyProtector protector,
        IEventOutbox outbox,
        CatalogChangeNotifier notifier,
        IOptions<CustomProviderOptions> customProviders,
        CancellationToken cancellationToken)
    {
        var caller = http.CatalogCaller();
        var global = request.Global == true;
        if (caller.RefuseChange(global, "providers") is { } refused)
        {
            return refused;
        }
        var provider = new Provider { OrganizationId = global ? null : caller.OrganizationId };
        if (Apply(provider, request.Name, request.Kind, request.BaseUrl, request.ApiVersion, request.IsFree ?? false, request.FreeTier,
                request.Enabled ?? true) is { } invalid)
        {
            return invalid;
        }
        if (!global && RefuseBaseUrl(provider.BaseUrl, customProviders.Value) is { } privateUrl)
        {
            return privateUrl;
        }
        SetApiKey(provider, request.ApiKey, protector);
        db.Providers.Add(provider);
        outbox.ProviderChanged(db, RoutingEventTypes.ProviderCreated, null, ProviderSnapshot.Of(provider), apiKeyChanged: provider.ProtectedApiKey is not null);
        await db.SaveChangesAsync(cancellationToken);
        await notifier.NotifyAsync();
        return TypedResults.Created($"/api/routing/providers/{provider.Id}", ToResponse(provider));
    }

    /// <summary>Changes what the body names (see <see cref="UpdateProviderRequest"/>); nothing changed: no write, no event.</summary>
    public static async Task<Results<Ok<ProviderResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id,
        UpdateProviderRequest request,
        HttpContext http,
        RoutingDbContext db,
        ProviderKeyProtector protector,
        IEventOutbox outbox,
        CatalogChangeNotifier notifier,
        IOptions<CustomProviderOptions> customProviders,
        CancellationToken cancellationToken)
    {
        var caller = http.CatalogCaller();
        var provider = await Visible(db, caller).FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (provider is null)
        {
            return ProviderNotFound();
        }
        var global = provider.OrganizationId is null;
        if (caller.RefuseChange(global, "providers") is { } refused)
        {
            return refused;
        }
        if (request.Global is { } sentGlobal && sentGlobal != global)
        {
            return Problems.Invalid("global", "A provider cannot move between an organization and the global catalog; create a new one.");
        }

        var before = ProviderSnapshot.Of(provider);
        var protectedKeyBefore = provider.ProtectedApiKey;
        if (Apply(provider, request.Name, request.Kind, request.BaseUrl, request.ApiVersion, request.IsFree, request.FreeTier, request.Enabled) is { } invalid)
        {
            return invalid;
        }
        if (!global && request.BaseUrl is not null && RefuseBaseUrl(provider.BaseUrl, customProviders.Value) is { } privateUrl)
        {
            return privateUrl;
        }
        var apiKeyChanged = request.ApiKey is not null && !IsSameKey(protectedKeyBefore, request.ApiKey, protector);
        if (apiKeyChanged)
        {
            SetApiKey(provider, request.ApiKey, protector);
        }
        var after = ProviderSnapshot.Of(provider);
        if (after == before && !apiKeyChanged)
        {
            return TypedResults.Ok(ToResponse(provider));
        }
        outbox.ProviderChanged(db, RoutingEventTypes.ProviderUpdated, before, after, apiKeyChanged);
        await db.SaveChangesAsync(cancellationToken);
        await notifier.NotifyAsync();
        return TypedResults.Ok(ToResponse(provider));
    }

    /// <summary>Deletes the provider and every deployment on it (for a global one, organizations' deployments too).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id,
        HttpContext http,
        RoutingDbContext db,
        IEventOutbox outbox,
        CatalogChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var caller = http.CatalogCaller();
        var provider = await Visible(db, caller).Include(p => p.Deployments).FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (provider is null)
        {
            return ProviderNotFound();
        }
        if (caller.RefuseChange(provider.OrganizationId is null, "providers") is { } refused)
        {
            return refused;
        }
        outbox.RemoveProvider(db, provider);
        await db.SaveChangesAsync(cancellationToken);
        await notifier.NotifyAsync();
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Sets the fields that are given and checks the provider they make: <c>apiVersion</c> only (and always) for
    /// Azure OpenAI, a free tier only on a free provider. Null arguments keep the current value.
    /// </summary>
    private static ValidationProblem? Apply(
        Provider provider, string? name, string? kind, string? baseUrl, string? apiVersion, bool? isFree, FreeTier? freeTier, bool? enabled)
    {
        if (name is not null)
        {
            provider.Name = name.Trim();
        }
        if (kind is not null)
        {
            provider.Kind = kind;
        }
        if (baseUrl is not null)
        {
            provider.BaseUrl = baseUrl.Trim();
        }
        if (provider.Kind == ProviderKinds.AzureOpenAI)
        {
            provider.ApiVersion = apiVersion?.Trim() ?? provider.ApiVersion;
            if (provider.ApiVersion is null)
            {
                return Problems.Invalid("apiVersion", "apiVersion is required for an azure-openai provider.");
            }
        }
        else if (apiVersion is not null)
        {
            return Problems.Invalid("apiVersion", "apiVersion applies only to azure-openai providers.");
        }
        else
        {
            provider.ApiVersion = null;
        }
        if (isFree is { } free)
        {
            provider.IsFree = free;
        }
        if (freeTier is not null)
        {
            if (!provider.IsFree)
            {
                return Problems.Invalid("freeTier", "freeTier applies only to a free provider (isFree: true).");
            }
            provider.FreeRequestsPerMinute = freeTier.RequestsPerMinute;
            provider.FreeRequestsPerDay = freeTier.RequestsPerDay;
            provider.FreeTokensPerMinute = freeTier.TokensPerMinute;
        }
        if (!provider.IsFree)
        {
            provider.FreeRequestsPerMinute = provider.FreeRequestsPerDay = provider.FreeTokensPerMinute = null;
        }
        if (enabled is { } on)
        {
            provider.Enabled = on;
        }
        return null;
    }

    /// <summary>
    /// The 400 for an organization's provider whose base URL is plainly not on the public internet (an IP literal that
    /// is not public, or <c>localhost</c>), unless <see cref="CustomProviderOptions.AllowPrivateNetworks"/>; else null.
    /// Early feedback only: a DNS name passes here, and what it resolves to is refused at connect time.
    /// </summary>
    private static ValidationProblem? RefuseBaseUrl(string baseUrl, CustomProviderOptions options) =>
        !options.AllowPrivateNetworks && PublicAddress.RefusalOf(baseUrl) is { } refusal ? Problems.Invalid("baseUrl", refusal) : null;

    /// <summary>Encrypts the key; empty (or blank) removes it.</summary>
    private static void SetApiKey(Provider provider, string? apiKey, ProviderKeyProtector protector) =>
        provider.ProtectedApiKey = string.IsNullOrWhiteSpace(apiKey) ? null : protector.Protect(apiKey.Trim());

    /// <summary>Whether the key sent is the one stored (so sending it again is no change).</summary>
    private static bool IsSameKey(string? protectedKey, string apiKey, ProviderKeyProtector protector)
    {
        if (protectedKey is null)
        {
            return string.IsNullOrWhiteSpace(apiKey);
        }
        try
        {
            return protector.Unprotect(protectedKey) == apiKey.Trim();
        }
        catch (CryptographicException)
        {
            // Unreadable with this key ring: replacing it is a change.
            return false;
        }
    }

    private static IQueryable<Provider> Visible(RoutingDbContext db, CatalogCaller caller) =>
        db.Providers.Where(p => p.OrganizationId == caller.OrganizationId || p.OrganizationId == null);

    private static ProblemHttpResult ProviderNotFound() => Problems.NotFound("The provider");

    private static ProviderResponse ToResponse(Provider p) => new(
        p.Id, p.OrganizationId, p.OrganizationId is null, p.Name, p.Kind, p.BaseUrl, p.ApiVersion, p.ProtectedApiKey is not null, p.IsFree,
        p.FreeRequestsPerMinute is null && p.FreeRequestsPerDay is null && p.FreeTokensPerMinute is null
            ? null
            : new FreeTier(p.FreeRequestsPerMinute, p.FreeRequestsPerDay, p.FreeTokensPerMinute),
        p.Enabled, p.CreatedAt, p.UpdatedAt);
}
