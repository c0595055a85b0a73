using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Synaxis.Keys.Infrastructure;
using Synaxis.Keys.Services;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Apis;

/// <summary>
/// <c>POST /internal/keys/verify</c>: the gateway's question "whose key is this?", asked only when its own
/// caches cannot answer. The only place bcrypt runs. Not routed by the gateway; callers need an internal
/// identity with the <c>internal</c> scope.
/// </summary>
public static class VerifyApi
{
    public static RouteHandlerBuilder MapVerifyApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/internal/keys/verify", VerifyAsync)
            .RequireAuthorization(SynaxisPolicies.Internal)
            .WithTags("Internal")
            .ExcludeFromDescription();

    public static async Task<Results<Ok<VerifiedApiKey>, ProblemHttpResult>> VerifyAsync(
        VerifyApiKeyRequest request,
        KeysDbContext db,
        ApiKeyHasher hasher,
        MemberRoleStore roles,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (request.Key is not { } key || !ApiKeyFormat.TryParse(key, out var idPart))
        {
            return Refused(ApiKeyVerificationFailures.Unknown);
        }
        var keyId = idPart.ToString();

        // Deleted rows too: a key of a deleted organization is revoked, not unknown.
        var stored = await db.ApiKeys.AsNoTracking().IgnoreQueryFilters()
            .Where(k => k.KeyId == keyId)
            .Select(k => new { k.Id, k.SecretHash })
            .FirstOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            return Refused(ApiKeyVerificationFailures.Unknown);
        }
        // Revocation and expiry are only told to whoever holds the secret.
        if (!await hasher.VerifyAsync(key, stored.SecretHash, cancellationToken))
        {
            return Refused(ApiKeyVerificationFailures.Mismatch);
        }

        // Read again after bcrypt: a revocation committed meanwhile must not be answered with a 200 that the
        // gateway would cache after its eviction went by.
        var current = await db.ApiKeys.AsNoTracking().IgnoreQueryFilters()
            .FirstOrDefaultAsync(k => k.Id == stored.Id, cancellationToken);
        if (current is null || current.RevokedAt is not null || current.DeletedAt is not null)
        {
            return Refused(ApiKeyVerificationFailures.Revoked);
        }
        if (current.IsExpiredAt(time.GetUtcNow()))
        {
            return Refused(ApiKeyVerificationFailures.Expired);
        }

        var (known, role) = await roles.GetStateAsync(current.OrganizationId, current.UserId, cancellationToken);
        if (known && role is null)
        {
            // The owner left the organization (or it was deleted): a key made after that event slipped past
            // the revocation the event caused, and must not work either.
            return Refused(ApiKeyVerificationFailures.Revoked);
        }
        return TypedResults.Ok(new VerifiedApiKey(
            current.KeyId, current.Id, current.OrganizationId, current.UserId, current.GroupId, role,
            current.Scopes, current.AllowedModels, current.ExpiresAt));
    }

    private static ProblemHttpResult Refused(string reason) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: $"The API key is not valid ({reason}).",
        extensions: new Dictionary<string, object?> { [ApiKeyVerificationFailures.ReasonExtension] = reason });
}
