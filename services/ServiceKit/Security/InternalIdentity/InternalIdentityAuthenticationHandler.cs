using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Http;

namespace Synaxis.ServiceKit.Security;

public sealed class InternalIdentityAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// Authenticates requests by the gateway's signed <see cref="InternalIdentity.HeaderName"/>: none is
/// anonymous (the endpoint's policy decides), an invalid one fails, a valid one becomes the principal, with the
/// request id (<c>rid</c>) the gateway sent in <c>x-request-id</c> (this hop's own trace identifier when none came).
/// </summary>
public sealed partial class InternalIdentityAuthenticationHandler(
    IOptionsMonitor<InternalIdentityAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    InternalIdentityValidator validator)
    : AuthenticationHandler<InternalIdentityAuthenticationOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers[InternalIdentity.HeaderName];
        if (values.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (values.Count > 1)
        {
            LogRefused(Logger, InternalIdentityFailure.Malformed);
            return Task.FromResult(AuthenticateResult.Fail("More than one internal identity was sent."));
        }

        var result = validator.Validate(values[0]);
        if (!result.IsValid)
        {
            LogRefused(Logger, result.Failure);
            return Task.FromResult(AuthenticateResult.Fail(result.FailureReason!));
        }

        var principal = result.CreatePrincipal(Scheme.Name, RequestId());
        var properties = new AuthenticationProperties { IssuedUtc = result.IssuedAt, ExpiresUtc = result.ExpiresAt };
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, properties, Scheme.Name)));
    }

    private string RequestId() =>
        Request.Headers[RequestIdHeader.Name] is { Count: 1 } values && RequestIdHeader.IsSane(values[0]) ? values[0]! : Context.TraceIdentifier;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var authentication = await HandleAuthenticateOnceSafeAsync();
        var detail = authentication.Failure?.Message
            ?? "This endpoint requires an authenticated caller: send an access token or API key to the Synaxis gateway.";
        await SecurityProblems.WriteUnauthorizedAsync(Context, detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        SecurityProblems.WriteForbiddenAsync(Context, "The caller's role in this organization does not allow this action.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an internal identity: {Failure}.")]
    private static partial void LogRefused(ILogger logger, InternalIdentityFailure failure);
}
