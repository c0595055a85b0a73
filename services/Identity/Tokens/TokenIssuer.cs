using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Synaxis.Identity.Contracts;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Tokens;

/// <summary>
/// Issues access JWTs and refresh tokens, and rotates refresh tokens. Lookups go through the soft-delete
/// filter, so a deleted token is unknown and never usable; revocations reach deleted rows too, so a
/// family or membership once revoked stays revoked whatever happens to its rows later. The bulk updates
/// bypass the SaveChanges interceptor, so they stamp UpdatedAt themselves.
/// </summary>
public sealed class TokenIssuer(
    IdentityDbContext db,
    IOptions<JwtOptions> jwtOptions,
    SigningCredentials signingCredentials,
    TimeProvider timeProvider)
{
    private static readonly JsonWebTokenHandler TokenHandler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>
    /// Issues an access token for the user in the organization (with their role and groups as they are
    /// now) and the next refresh token of <paramref name="familyId"/> (a new family when null). The
    /// refresh token row is added to the context; the caller saves.
    /// </summary>
    public async Task<TokenResponse?> IssueAsync(Guid userId, Guid organizationId, Guid? familyId, CancellationToken cancellationToken)
    {
        var membership = await db.UserOrganizationMemberships
            .Where(m => m.UserId == userId && m.OrganizationId == organizationId)
            .Select(m => new { m.Role })
            .FirstOrDefaultAsync(cancellationToken);
        if (membership is null)
        {
            return null;
        }

        var groups = await db.UserGroupMemberships
            .Where(m => m.UserId == userId && m.OrganizationId == organizationId)
            .Select(m => m.GroupId.ToString())
            .ToArrayAsync(cancellationToken);

        var options = jwtOptions.Value;
        var now = timeProvider.GetUtcNow();
        var accessToken = TokenHandler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(options.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = signingCredentials,
            Claims = new Dictionary<string, object>
            {
                [SynaxisClaims.Subject] = userId.ToString(),
                [SynaxisClaims.OrganizationId] = organizationId.ToString(),
                [SynaxisClaims.OrganizationRole] = membership.Role,
                [SynaxisClaims.Groups] = groups,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
        });

        var refreshToken = NewRefreshToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            TokenHash = Hash(refreshToken),
            FamilyId = familyId ?? Guid.CreateVersion7(),
            UserId = userId,
            OrganizationId = organizationId,
            ExpiresAt = now.Add(options.RefreshTokenLifetime),
        });

        return new TokenResponse(userId, organizationId, accessToken, refreshToken, (int)options.AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>
    /// Spends a refresh token and issues the next pair of its family. A token that was already spent
    /// (replayed) revokes the family; an unknown, expired or revoked one, or one whose membership is
    /// gone, answers null. Spending is a conditional UPDATE, so two concurrent uses cannot both win.
    /// </summary>
    public async Task<TokenResponse?> RotateAsync(string presentedToken, CancellationToken cancellationToken)
    {
        var hash = Hash(presentedToken);
        var token = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var now = timeProvider.GetUtcNow();
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            return null;
        }

        var spent = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.SpentAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.SpentAt, now).SetProperty(t => t.UpdatedAt, now), cancellationToken);
        if (spent == 0)
        {
            await RevokeFamilyAsync(token.FamilyId, cancellationToken);
            return null;
        }

        var issued = await IssueAsync(token.UserId, token.OrganizationId, token.FamilyId, cancellationToken);
        if (issued is null)
        {
            return null;
        }
        await db.SaveChangesAsync(cancellationToken);

        // A replay of an older token may have revoked the family between our read and our insert: then the
        // token just issued joins the revocation instead of continuing a stolen chain.
        if (await AllRows().AnyAsync(t => t.FamilyId == token.FamilyId && t.RevokedAt != null, cancellationToken))
        {
            await RevokeFamilyAsync(token.FamilyId, cancellationToken);
            return null;
        }
        return issued;
    }

    /// <summary>Revokes every token of the presented token's family (logout). Unknown tokens are ignored.</summary>
    public async Task RevokeAsync(string presentedToken, CancellationToken cancellationToken)
    {
        var hash = Hash(presentedToken);
        var familyId = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.FamilyId)
            .FirstOrDefaultAsync(cancellationToken);
        if (familyId is { } family)
        {
            await RevokeFamilyAsync(family, cancellationToken);
        }
    }

    public Task<int> RevokeOrganizationAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return AllRows()
            .Where(t => t.OrganizationId == organizationId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.UpdatedAt, now), cancellationToken);
    }

    public Task<int> RevokeMembershipAsync(Guid organizationId, Guid userId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return AllRows()
            .Where(t => t.OrganizationId == organizationId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.UpdatedAt, now), cancellationToken);
    }

    private Task<int> RevokeFamilyAsync(Guid familyId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return AllRows()
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.UpdatedAt, now), cancellationToken);
    }

    /// <summary>Refresh tokens including soft-deleted ones: for revocation only, never to accept a token.</summary>
    private IQueryable<RefreshToken> AllRows() => db.RefreshTokens.IgnoreQueryFilters([SoftDeleteModelBuilderExtensions.FilterName]);

    /// <summary>256 random bits, Base64url, with a prefix that secret scanners can recognise.</summary>
    private static string NewRefreshToken() =>
        "synaxis_rt_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
