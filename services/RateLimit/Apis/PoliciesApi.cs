using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Synaxis.RateLimit.Contracts;
using Synaxis.RateLimit.Events;
using Synaxis.RateLimit.Infrastructure;
using Synaxis.RateLimit.Model;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;

namespace Synaxis.RateLimit.Apis;

/// <summary>
/// Rate limit and budget policies of the caller's organization, one per level (organization, group, user,
/// key). Everyone in the organization may read them; Owners and Admins set and delete them. Every change
/// publishes <c>PolicyChanged</c> in the same transaction. Enforcement is elsewhere (admission).
/// </summary>
public static class PoliciesApi
{
    /// <summary>How often a replacement that lost a race (a concurrent create or update) is tried again.</summary>
    private const int MaxAttempts = 3;

    public static RouteGroupBuilder MapPoliciesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/ratelimits").WithTags("Rate limits").RequireRateLimitCaller();
        api.MapGet("/policies", ListAsync);
        api.MapPut("/policies/{scope}/{id}", PutAsync);
        api.MapDelete("/policies/{scope}/{id}", DeleteAsync);
        return api;
    }

    /// <summary>The organization's policies, by scope then id.</summary>
    /// <param name="scope">Only this level's policies: <c>organization</c>, <c>group</c>, <c>user</c> or <c>key</c>.</param>
    public static async Task<Results<Ok<PolicyListResponse>, ValidationProblem>> ListAsync(
        string? scope, HttpContext http, RateLimitDbContext db, CancellationToken cancellationToken)
    {
        string? only = null;
        if (scope is not null && (only = PolicyScopes.Normalize(scope)) is null)
        {
            return InvalidScope();
        }
        var caller = http.RateLimitCaller();
        var policies = await db.Policies.AsNoTracking()
            .Where(p => p.OrganizationId == caller.OrganizationId && (only == null || p.Scope == only))
            .OrderBy(p => p.Scope).ThenBy(p => p.ScopeId)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PolicyListResponse(policies.Select(ToResponse).ToList()));
    }

    /// <summary>Creates or replaces the level's policy: every limit is set to what the body says (null: none).</summary>
    public static async Task<Results<Ok<PolicyResponse>, ProblemHttpResult, ValidationProblem>> PutAsync(
        string scope,
        string id,
        PutPolicyRequest request,
        HttpContext http,
        RateLimitDbContext db,
        IEventOutbox outbox,
        CancellationToken cancellationToken)
    {
        var caller = http.RateLimitCaller();
        if (!caller.IsManager)
        {
            return Problems.Forbidden("Only an Owner or Admin may set rate limit policies.");
        }
        if (Target(caller, scope, id) is not { } target)
        {
            return TargetProblem(scope);
        }
        if (target.NotFound)
        {
            return PolicyNotFound();
        }

        for (var attempt = 1; ; attempt++)
        {
            var policy = await db.Policies.FirstOrDefaultAsync(
                p => p.OrganizationId == caller.OrganizationId && p.Scope == target.Scope && p.ScopeId == target.Id, cancellationToken);
            var before = policy is null ? null : PolicySnapshot.Of(policy);
            if (policy is null)
            {
                policy = new RateLimitPolicy { OrganizationId = caller.OrganizationId, Scope = target.Scope, ScopeId = target.Id };
                db.Policies.Add(policy);
            }
            policy.RequestsPerMinute = request.RequestsPerMinute;
            policy.TokensPerMinute = request.TokensPerMinute;
            policy.TokensPerDay = request.TokensPerDay;
            policy.MonthlyBudgetUsd = request.MonthlyBudgetUsd;
            var after = PolicySnapshot.Of(policy);
            if (before is not null && before == after)
            {
                // Nothing changes: no write, no event.
                return TypedResults.Ok(ToResponse(policy));
            }
            outbox.Add(db, RateLimitEventTypes.PolicyChanged, caller.OrganizationId,
                new PolicyChangedData(target.Scope, target.Id, before, after), RateLimitEventsJsonContext.Default.PolicyChangedData);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return TypedResults.Ok(ToResponse(policy));
            }
            catch (DbUpdateException e) when (IsLostRace(e))
            {
                // Another request created or changed the policy meanwhile: start again from what it wrote.
                db.ChangeTracker.Clear();
                if (attempt == MaxAttempts)
                {
                    return Problems.Conflict("The policy is being changed by another request; try again.");
                }
            }
        }
    }

    /// <summary>Deletes the level's policy: no limits at that level from then on.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteAsync(
        string scope,
        string id,
        HttpContext http,
        RateLimitDbContext db,
        IEventOutbox outbox,
        CancellationToken cancellationToken)
    {
        var caller = http.RateLimitCaller();
        if (!caller.IsManager)
        {
            return Problems.Forbidden("Only an Owner or Admin may delete rate limit policies.");
        }
        if (Target(caller, scope, id) is not { } target)
        {
            return TargetProblem(scope);
        }
        if (target.NotFound)
        {
            return PolicyNotFound();
        }

        var policy = await db.Policies.FirstOrDefaultAsync(
            p => p.OrganizationId == caller.OrganizationId && p.Scope == target.Scope && p.ScopeId == target.Id, cancellationToken);
        if (policy is null)
        {
            return PolicyNotFound();
        }
        db.Policies.Remove(policy);
        outbox.Add(db, RateLimitEventTypes.PolicyChanged, caller.OrganizationId,
            new PolicyChangedData(target.Scope, target.Id, PolicySnapshot.Of(policy), null), RateLimitEventsJsonContext.Default.PolicyChangedData);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted or replaced by a concurrent request: the caller sees the outcome of theirs on a retry.
            return Problems.Conflict("The policy changed while it was being deleted; try again.");
        }
        return TypedResults.NoContent();
    }

    private sealed record PolicyTarget(string Scope, Guid Id, bool NotFound);

    /// <summary>
    /// The level the path names, or <see langword="null"/> when the scope or id is not valid. An organization
    /// scope names the caller's own organization; any other organization's id answers 404 as unknown ones do.
    /// </summary>
    private static PolicyTarget? Target(RateLimitCaller caller, string scope, string id)
    {
        if (PolicyScopes.Normalize(scope) is not { } normalized || !Guid.TryParse(id, out var guid) || guid == Guid.Empty)
        {
            return null;
        }
        return new PolicyTarget(normalized, guid,
            NotFound: normalized == PolicyScopes.Organization && guid != caller.OrganizationId);
    }

    private static ValidationProblem TargetProblem(string scope) =>
        PolicyScopes.Normalize(scope) is null
            ? InvalidScope()
            : Problems.Invalid("id", "id must be the GUID of the organization, group, user or key the policy applies to.");

    private static ValidationProblem InvalidScope() =>
        Problems.Invalid("scope", $"scope must be one of {string.Join(", ", PolicyScopes.All.Select(s => $"'{s}'"))}.");

    private static ProblemHttpResult PolicyNotFound() => Problems.NotFound("The rate limit policy");

    /// <summary>A concurrent create (the live-row unique index) or update (the row version) won.</summary>
    private static bool IsLostRace(DbUpdateException e) =>
        e is DbUpdateConcurrencyException
        || e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private static PolicyResponse ToResponse(RateLimitPolicy p) => new(
        p.Scope, p.ScopeId, p.RequestsPerMinute, p.TokensPerMinute, p.TokensPerDay, p.MonthlyBudgetUsd, p.CreatedAt, p.UpdatedAt);
}
