using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Synaxis.Gateway.Security;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

public static class ApiKeyDefaults
{
    public const string AuthenticationScheme = "ApiKey";
}

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// Authenticates a request by the API key it presents (see <see cref="ApiKeyCredentials"/>) through the
/// <see cref="ApiKeyVerifier"/>; a valid key becomes a principal with the key's owner, organization, role, group,
/// key id and scopes. Refusals answer in the caller's dialect (<see cref="GatewayProblems"/>): 401, 429 from the
/// failure limiter with <c>retry-after</c>, 503 when nothing could verify the key, and 403 for a missing scope.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyVerifier verifier)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!ApiKeyCredentials.TryRead(Request, out var key, out var problem))
        {
            return Task.FromResult(problem is null
                ? AuthenticateResult.NoResult()
                : AuthenticateResult.Fail(new ApiKeyRefusedException(ApiKeyVerification.Malformed, problem)));
        }
        var verification = verifier.VerifyAsync(key, Context.Connection.RemoteIpAddress, Context.TraceIdentifier, Context.RequestAborted);
        return verification.IsCompletedSuccessfully
            ? Task.FromResult(ToResult(verification.Result))
            : AwaitAsync(verification);
    }

    private async Task<AuthenticateResult> AwaitAsync(ValueTask<ApiKeyVerification> verification) => ToResult(await verification);

    private AuthenticateResult ToResult(ApiKeyVerification verification)
    {
        if (verification.Key is not { } key)
        {
            return AuthenticateResult.Fail(new ApiKeyRefusedException(verification));
        }
        // Admission reads the key's allowed models from here rather than from claims.
        Context.Features.Set(key);
        return AuthenticateResult.Success(new AuthenticationTicket(key.CreatePrincipal(Scheme.Name), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var authentication = await HandleAuthenticateOnceSafeAsync();
        if (authentication.Failure is not ApiKeyRefusedException refused)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
            await GatewayProblems.WriteUnauthorizedAsync(Context,
                $"You didn't provide an API key: send 'Authorization: Bearer {ApiKeyFormat.Prefix}…' or '{ApiKeyCredentials.HeaderName}: {ApiKeyFormat.Prefix}…'.");
            return;
        }
        switch (refused.Verification.Status)
        {
            case ApiKeyVerificationStatus.RateLimited:
                await GatewayProblems.WriteTooManyRequestsAsync(Context, refused.Verification.RetryAfter,
                    "Too many failed API key verifications from this client or for this key: try again later.");
                break;
            case ApiKeyVerificationStatus.Unavailable:
                await GatewayProblems.WriteUnavailableAsync(Context, "The API key could not be verified right now: try again shortly.");
                break;
            default:
                Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await GatewayProblems.WriteUnauthorizedAsync(Context, refused.Message);
                break;
        }
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var scope = GatewayProblems.IsInference(Context) ? ApiKeyScopes.Inference : ApiKeyScopes.Admin;
        return GatewayProblems.WriteForbiddenAsync(Context, $"This API key does not have the '{scope}' scope this endpoint requires.");
    }
}

/// <summary>Why an API key was refused, carried from authentication to the challenge that answers for it.</summary>
internal sealed class ApiKeyRefusedException(ApiKeyVerification verification, string? message = null)
    : Exception(message ?? Describe(verification.Status))
{
    public ApiKeyVerification Verification { get; } = verification;

    private static string Describe(ApiKeyVerificationStatus status) => status switch
    {
        ApiKeyVerificationStatus.Revoked => "The API key has been revoked.",
        ApiKeyVerificationStatus.Expired => "The API key has expired.",
        ApiKeyVerificationStatus.RateLimited => "Too many failed API key verifications.",
        ApiKeyVerificationStatus.Unavailable => "The API key could not be verified right now.",
        _ => "Incorrect API key provided.",
    };
}
