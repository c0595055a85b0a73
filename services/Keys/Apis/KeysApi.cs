using Synaxis.ServiceKit.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Synaxis.Keys.Contracts;
using Synaxis.Keys.Events;
using Synaxis.Keys.Infrastructure;
using Synaxis.Keys.Model;
using Synaxis.Keys.Services;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Apis;

/// <summary>
/// API keys of the caller's organization. Every query is scoped to what the caller may see (the organization
/// for Owners and Admins, their own keys for Members), so any other key id answers 404 exactly like one that
/// does not exist. The full key appears only in the answers to create and rotate.
/// </summary>
public static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/keys").WithTags("Keys").RequireKeysCaller();
        api.MapGet("/", ListAsync);
        api.MapPost("/", CreateAsync);
        api.MapGet("/{id:guid}", GetAsync);
        api.MapDelete("/{id:guid}", DeleteAsync);
        api.MapPost("/{id:guid}/rotate", RotateAsync);
        return api;
    }

    /// <summary>The caller's visible keys, newest first, keyset paginated.</summary>
    /// <param name="includeRevoked">Revoked keys are left out unless asked for.</param>
    /// <param name="limit">1 to 100 keys per page; 100 when absent.</param>
    /// <param name="cursor">The previous page's <c>nextCursor</c>.</param>
    public static async Task<Results<Ok<KeyListResponse>, ValidationProblem>> ListAsync(
        bool? includeRevoked, int? limit, string? cursor, HttpContext http, KeysDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > Limits.MaxPageSize)
        {
            return Problems.Invalid("limit", $"limit must be between 1 and {Limits.MaxPageSize}.");
        }
        ListCursor? after = null;
        if (cursor is not null && (after = ListCursor.TryParse(cursor)) is null)
        {
            return Problems.Invalid("cursor", "cursor is not one this API gave out.");
        }

        var caller = http.KeysCaller();
        var query = Visible(db, caller).Where(k => includeRevoked == true || k.RevokedAt == null);
        if (after is { } position)
        {
            query = query.Where(k => k.CreatedAt < position.CreatedAt || (k.CreatedAt == position.CreatedAt && k.Id.CompareTo(position.Id) < 0));
        }
        var size = limit ?? Limits.MaxPageSize;
        var keys = await query
            .OrderByDescending(k => k.CreatedAt)
            .ThenByDescending(k => k.Id)
            .Take(size + 1)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        string? next = null;
        if (keys.Count > size)
        {
            keys.RemoveAt(size);
            next = new ListCursor(keys[^1].CreatedAt, keys[^1].Id).ToString();
        }
        var now = time.GetUtcNow();
        return TypedResults.Ok(new KeyListResponse(keys.Select(k => ToResponse(k, now)).ToList(), next));
    }

    public static async Task<Results<Ok<KeyResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, KeysDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = await Visible(db, http.KeysCaller()).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        return key is null ? KeyProblems.KeyNotFound() : TypedResults.Ok(ToResponse(key, time.GetUtcNow()));
    }

    /// <summary>
    /// Creates a key for the caller. A <c>groupId</c> must be a group of the caller's organization: known from
    /// Identity's events, or listed in the caller's signed identity (a group created a moment ago, whose event
    /// has not arrived yet). A Member may only name their own groups. A user holds at most
    /// <see cref="KeysOptions.MaxActiveKeysPerUser"/> active keys per organization.
    /// </summary>
    public static async Task<Results<Created<CreatedKeyResponse>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        CreateKeyRequest request,
        HttpContext http,
        KeysDbContext db,
        ApiKeyHasher hasher,
        MemberRoleStore roles,
        GroupStore groups,
        IEventOutbox outbox,
        IOptions<KeysOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = http.KeysCaller();
        var scopes = NormalizeScopes(request.Scopes);
        if (!caller.IsManager && scopes.Contains(ApiKeyScopes.Admin))
        {
            return Problems.Forbidden($"Only an Owner or Admin may create keys with the '{ApiKeyScopes.Admin}' scope.");
        }
        if (!caller.IsManager && request.GroupId is { } groupId && !caller.GroupIds.Contains(groupId))
        {
            return Problems.Forbidden("A Member may only attach a key to a group they belong to.");
        }
        if (request.GroupId is { } group && !await IsGroupOfCallerAsync(group, caller, groups, cancellationToken))
        {
            // One answer whether the group is unknown, deleted or another organization's: no oracle for ids.
            return Problems.Invalid("groupId",
                "groupId must be a group of your organization; this one is unknown, deleted or not yours " +
                "(a group created a moment ago may take a few seconds to become usable).");
        }
        var maxActive = options.Value.MaxActiveKeysPerUser;
        // Checked before hashing too, so that a caller at the limit costs no bcrypt.
        if (await CountActiveAsync(db, caller, time.GetUtcNow(), cancellationToken) >= maxActive)
        {
            return TooManyKeys(maxActive);
        }

        var generated = ApiKeyFormat.Generate();
        var key = new ApiKey
        {
            KeyId = generated.Id,
            SecretHash = await hasher.HashAsync(generated.Key, cancellationToken),
            OrganizationId = caller.OrganizationId,
            UserId = caller.UserId,
            GroupId = request.GroupId,
            Name = request.Name.Trim(),
            Scopes = scopes,
            AllowedModels = request.AllowedModels?.Select(m => m.Trim()).Distinct(StringComparer.Ordinal).ToList(),
            ExpiresAt = request.ExpiresAt?.ToDatabasePrecision(),
        };
        db.ApiKeys.Add(key);
        outbox.Add(db, KeysEventTypes.KeyCreated, key.OrganizationId, new KeyCreatedData(KeySnapshot.Of(key)),
            KeysEventsJsonContext.Default.KeyCreatedData);
        // Concurrent creates of one user take turns (a transaction-scoped advisory lock), so the count they
        // check cannot be passed by creates racing each other.
        var strategy = db.Database.CreateExecutionStrategy();
        var created = await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var lockKey = $"{caller.OrganizationId:N}:{caller.UserId:N}";
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ActiveKeysLockSpace}, hashtext({lockKey}))", ct);
            if (await CountActiveAsync(db, caller, time.GetUtcNow(), ct) >= maxActive)
            {
                return false;
            }
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, ct);
            await transaction.CommitAsync(ct);
            return true;
        }, cancellationToken);
        if (!created)
        {
            return TooManyKeys(maxActive);
        }
        db.ChangeTracker.AcceptAllChanges();
        await roles.RememberIfUnknownAsync(caller.OrganizationId, caller.UserId, caller.Role, cancellationToken);

        NeverCache(http);
        return TypedResults.Created($"/api/keys/{key.Id}", new CreatedKeyResponse(
            key.Id, generated.Key, key.Prefix, key.Name, key.Scopes, key.ExpiresAt, key.CreatedAt.ToDatabasePrecision(), key.GroupId, key.AllowedModels));
    }

    /// <summary>Revokes the key: refused by every gateway within a second (its cached verification is evicted).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id,
        HttpContext http,
        KeysDbContext db,
        KeyCacheEvictor evictor,
        IEventOutbox outbox,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var key = await Visible(db, http.KeysCaller()).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return KeyProblems.KeyNotFound();
        }
        if (key.IsRevoked)
        {
            return TypedResults.NoContent();
        }

        key.RevokedAt = time.GetUtcNow().ToDatabasePrecision();
        outbox.Add(db, KeysEventTypes.KeyRevoked, key.OrganizationId, new KeyRevokedData(KeySnapshot.Of(key), RevocationReasons.Deleted),
            KeysEventsJsonContext.Default.KeyRevokedData);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The key changed while it was being revoked; try again.");
        }
        await evictor.TryEvictAsync([key.KeyId], revoked: true);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Replaces the key with a new one (new id and secret, same owner, name, scopes, group and models). The old
    /// key keeps working for the grace period, then expires. Not limited by the active-key cap (it replaces a
    /// key rather than adding one), and the group is kept even if it was deleted since: deleting a group
    /// leaves its keys working.
    /// </summary>
    public static async Task<Results<Created<RotatedKeyResponse>, ProblemHttpResult>> RotateAsync(
        Guid id,
        RotateKeyRequest request,
        HttpContext http,
        KeysDbContext db,
        ApiKeyHasher hasher,
        KeyCacheEvictor evictor,
        IEventOutbox outbox,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = http.KeysCaller();
        var old = await Visible(db, caller).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (old is null)
        {
            return KeyProblems.KeyNotFound();
        }
        if (old.UserId != caller.UserId)
        {
            // The new secret acts as the key's owner: handing it to anyone else (an Admin rotating the Owner's
            // key, say) would let them act as that person. Managers may revoke others' keys, not rotate them.
            return Problems.Forbidden("Only the key's owner can rotate it; revoke it instead.");
        }
        var now = time.GetUtcNow();
        if (old.IsRevoked)
        {
            return Problems.Conflict("A revoked key cannot be rotated.");
        }
        if (old.IsExpiredAt(now))
        {
            return Problems.Conflict("An expired key cannot be rotated.");
        }
        if (old.ReplacedById is not null)
        {
            return Problems.Conflict("This key has already been rotated; rotate its replacement instead.");
        }
        if (!caller.IsManager && old.Scopes.Contains(ApiKeyScopes.Admin))
        {
            return Problems.Forbidden($"Only an Owner or Admin may rotate keys with the '{ApiKeyScopes.Admin}' scope.");
        }

        var generated = ApiKeyFormat.Generate();
        var replacement = new ApiKey
        {
            KeyId = generated.Id,
            SecretHash = await hasher.HashAsync(generated.Key, cancellationToken),
            OrganizationId = old.OrganizationId,
            UserId = old.UserId,
            GroupId = old.GroupId,
            Name = old.Name,
            Scopes = [.. old.Scopes],
            AllowedModels = old.AllowedModels is null ? null : [.. old.AllowedModels],
            ExpiresAt = old.ExpiresAt,
            RotatedFromId = old.Id,
        };
        var graceEnds = now.AddSeconds(request.GracePeriodSeconds!.Value).ToDatabasePrecision();
        old.ExpiresAt = old.ExpiresAt is { } expiresAt && expiresAt < graceEnds ? expiresAt : graceEnds;
        old.ReplacedById = replacement.Id;
        db.ApiKeys.Add(replacement);
        outbox.Add(db, KeysEventTypes.KeyRotated, old.OrganizationId,
            new KeyRotatedData(KeySnapshot.Of(old), KeySnapshot.Of(replacement), request.GracePeriodSeconds.Value),
            KeysEventsJsonContext.Default.KeyRotatedData);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The key changed while it was being rotated; try again.");
        }
        // Gateways re-verify the old key and so learn its new expiry.
        await evictor.TryEvictAsync([old.KeyId]);

        NeverCache(http);
        return TypedResults.Created($"/api/keys/{replacement.Id}", new RotatedKeyResponse(
            replacement.Id, generated.Key, replacement.Prefix, replacement.Name, replacement.Scopes, replacement.ExpiresAt,
            replacement.CreatedAt.ToDatabasePrecision(), replacement.GroupId, replacement.AllowedModels, old.Id, old.ExpiresAt.Value));
    }

    /// <summary>Namespaces the advisory locks create takes (the database is shared): "KEYS".</summary>
    private const int ActiveKeysLockSpace = 0x4B455953;

    private static ProblemHttpResult TooManyKeys(int max) => Problems.Conflict(
        $"You already have {max} active keys in this organization, the most allowed; revoke one you no longer use first.");

    private static Task<int> CountActiveAsync(KeysDbContext db, KeysCaller caller, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.ApiKeys.CountAsync(k => k.OrganizationId == caller.OrganizationId && k.UserId == caller.UserId
            && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), cancellationToken);

    /// <summary>
    /// Identity's events are the record of which groups exist; until a new group's event arrives, the caller's
    /// signed identity listing it (it came from Identity) proves it is theirs. A group known to be deleted or
    /// another organization's is refused whatever a (possibly older) token says.
    /// </summary>
    private static async Task<bool> IsGroupOfCallerAsync(Guid groupId, KeysCaller caller, GroupStore groups, CancellationToken cancellationToken) =>
        await groups.FindAsync(groupId, cancellationToken) switch
        {
            null => caller.GroupIds.Contains(groupId),
            var known => known.OrganizationId == caller.OrganizationId && !known.Deleted,
        };

    private static IQueryable<ApiKey> Visible(KeysDbContext db, KeysCaller caller) =>
        caller.IsManager
            ? db.ApiKeys.Where(k => k.OrganizationId == caller.OrganizationId)
            : db.ApiKeys.Where(k => k.OrganizationId == caller.OrganizationId && k.UserId == caller.UserId);

    /// <summary>Distinct, in the canonical order (inference before admin).</summary>
    private static List<string> NormalizeScopes(IEnumerable<string> scopes) =>
        ApiKeyScopes.All.Where(scopes.Contains).ToList();

    private static void NeverCache(HttpContext http) => http.Response.Headers.CacheControl = "no-store";

    private static KeyResponse ToResponse(ApiKey key, DateTimeOffset now) => new(
        key.Id, key.Prefix, key.Name, key.UserId, key.GroupId, key.Scopes, key.AllowedModels, key.StatusAt(now),
        key.ExpiresAt, key.RevokedAt, key.LastUsedAt, key.RotatedFromId, key.ReplacedById, key.CreatedAt, key.UpdatedAt);
}
