using Synaxis.ServiceKit.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Synaxis.Identity.Contracts;
using Synaxis.Identity.Events;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;
using Synaxis.Identity.Services;
using Synaxis.Identity.Tokens;

namespace Synaxis.Identity.Apis;

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/auth").WithTags("Authentication").AllowAnonymous();
        api.MapPost("/register", RegisterAsync);
        api.MapPost("/login", LoginAsync);
        api.MapPost("/refresh", RefreshAsync);
        api.MapPost("/logout", LogoutAsync);
        return api;
    }

    public static async Task<Results<Created<TokenResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request,
        IdentityDbContext db,
        UserManager<SynaxisUser> users,
        OrganizationProvisioner provisioner,
        IdentityEvents events,
        TokenIssuer tokens,
        CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            return await strategy.ExecuteAsync(async ct =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var user = new SynaxisUser
                {
                    UserName = request.Email.Trim(),
                    Email = request.Email.Trim(),
                    DisplayName = request.DisplayName.Trim(),
                };
                var created = await users.CreateAsync(user, request.Password);
                if (!created.Succeeded)
                {
                    return created.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")
                        ? (Results<Created<TokenResponse>, ValidationProblem, ProblemHttpResult>)Problems.Conflict("An account with this email already exists.")
                        : TypedResults.ValidationProblem(IdentityErrors.ToDictionary(created.Errors));
                }

                var organization = provisioner.Provision(request.OrganizationName, user.Id);
                events.Record(IdentityEventTypes.UserRegistered, organization.Id, before: null,
                    after: new UserSnapshot(user.Id, user.Email, user.DisplayName), actorId: user.Id);
                await db.SaveChangesAsync(ct);

                var issued = await tokens.IssueAsync(user.Id, organization.Id, familyId: null, ct)
                    ?? throw new InvalidOperationException("The new owner has no membership.");
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return TypedResults.Created("/api/identity/me", issued);
            }, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Two registrations of one email at the same moment: the unique index decides.
            return Problems.Conflict("An account with this email already exists.");
        }
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request,
        IdentityDbContext db,
        UserManager<SynaxisUser> users,
        TokenIssuer tokens,
        CancellationToken cancellationToken)
    {
        const string Refusal = "Invalid email or password, or the account is locked for a while after repeated failures.";
        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            // Spend the time a real check would, so response time does not tell which emails exist.
            users.PasswordHasher.VerifyHashedPassword(new SynaxisUser { DisplayName = "" }, TimingDecoy.Hash, request.Password);
            return Problems.Unauthorized(Refusal);
        }
        if (await users.IsLockedOutAsync(user))
        {
            return Problems.Unauthorized(Refusal);
        }
        if (!await users.CheckPasswordAsync(user, request.Password))
        {
            await users.AccessFailedAsync(user);
            return Problems.Unauthorized(Refusal);
        }
        await users.ResetAccessFailedCountAsync(user);

        var organizationId = request.OrganizationId ?? await db.UserOrganizationMemberships
            .Where(m => m.UserId == user.Id)
            .OrderBy(m => m.CreatedAt)
            .Select(m => (Guid?)m.OrganizationId)
            .FirstOrDefaultAsync(cancellationToken);
        var issued = organizationId is { } id ? await tokens.IssueAsync(user.Id, id, familyId: null, cancellationToken) : null;
        if (issued is null)
        {
            return Problems.Unauthorized("You are not a member of that organization.");
        }
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(issued);
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, TokenIssuer tokens, CancellationToken cancellationToken)
    {
        var issued = await tokens.RotateAsync(request.RefreshToken, cancellationToken);
        return issued is null
            ? Problems.Unauthorized("The refresh token is invalid, expired, revoked or already used.")
            : TypedResults.Ok(issued);
    }

    public static async Task<NoContent> LogoutAsync(RefreshRequest request, TokenIssuer tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeAsync(request.RefreshToken, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A hash of a random password, verified against when the email is unknown.</summary>
    private static class TimingDecoy
    {
        public static readonly string Hash = new PasswordHasher<SynaxisUser>()
            .HashPassword(new SynaxisUser { DisplayName = "" }, Guid.NewGuid().ToString());
    }
}

internal static class IdentityErrors
{
    public static Dictionary<string, string[]> ToDictionary(IEnumerable<IdentityError> errors) =>
        errors.GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email"
                : "request")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
}
