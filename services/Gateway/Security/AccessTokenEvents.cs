using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Security;

/// <summary>How the gateway reads access tokens and how it answers when one is missing or wrong.</summary>
internal static class AccessTokenEvents
{
    public const string HubsPath = "/hubs";
    public const string AccessTokenQueryParameter = "access_token";

    public static JwtBearerEvents Create() => new()
    {
        OnMessageReceived = ReadHubTokenFromQuery,
        OnTokenValidated = RequireCallerClaims,
        OnChallenge = ChallengeAsync,
        OnForbidden = ForbiddenAsync,
    };

    /// <summary>
    /// Browsers cannot set headers on a WebSocket, so SignalR sends the token in the query string. Only under
    /// <see cref="HubsPath"/>, and only when no <c>Authorization</c> header is sent. The <c>audit-hubs</c> route's
    /// <c>admin</c> policy lets the access token of any role through (an API key needs the <c>admin</c> scope); the
    /// hub then admits any member of the organization. The proxy removes the parameter before forwarding.
    /// </summary>
    private static Task ReadHubTokenFromQuery(MessageReceivedContext context)
    {
        var request = context.HttpContext.Request;
        if (request.Path.StartsWithSegments(HubsPath) &&
            !request.Headers.ContainsKey(HeaderNames.Authorization) &&
            request.Query[AccessTokenQueryParameter] is { Count: 1 } token &&
            !string.IsNullOrEmpty(token[0]))
        {
            context.Token = token[0];
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A signed token is only usable if it names a user and an organization the way Identity issues them;
    /// otherwise the services would receive a caller they cannot act for.
    /// </summary>
    private static Task RequireCallerClaims(TokenValidatedContext context)
    {
        if (context.Principal is not { } principal || !HasCallerClaims(principal))
        {
            context.Fail(new SecurityTokenValidationException("The access token does not carry a valid user, organization, role and groups."));
        }
        return Task.CompletedTask;
    }

    private static bool HasCallerClaims(ClaimsPrincipal principal)
    {
        if (principal.GetUserId() is null || principal.FindOrganizationId() is null)
        {
            return false;
        }
        if (principal.FindFirst(SynaxisClaims.OrganizationRole)?.Value is { } role && !OrganizationRoles.All.Contains(role))
        {
            return false;
        }
        // Scopes belong to API keys; a token claiming one (above all "internal", the services' own) is not Identity's.
        if (principal.HasClaim(claim => claim.Type is SynaxisClaims.Scope or SynaxisClaims.KeyId))
        {
            return false;
        }
        foreach (var group in principal.FindAll(SynaxisClaims.Groups))
        {
            if (!Guid.TryParse(group.Value, out _))
            {
                return false;
            }
        }
        return true;
    }

    private static Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        string detail;
        if (context.AuthenticateFailure is null)
        {
            context.Response.Headers.WWWAuthenticate = JwtBearerDefaults.AuthenticationScheme;
            detail = GatewayProblems.IsInference(context.HttpContext)
                ? $"You didn't provide an API key: send 'Authorization: Bearer {ApiKeyFormat.Prefix}…' (or an access token)."
                : $"An access token is required: send 'Authorization: Bearer <access token>' (or an API key with the '{ApiKeyScopes.Admin}' scope).";
        }
        else
        {
            var expired = IsExpired(context.AuthenticateFailure);
            context.Response.Headers.WWWAuthenticate = expired
                ? "Bearer error=\"invalid_token\", error_description=\"The access token has expired\""
                : "Bearer error=\"invalid_token\"";
            detail = expired
                ? "The access token has expired: refresh it and try again."
                : "The access token is invalid.";
        }
        return GatewayProblems.WriteUnauthorizedAsync(context.HttpContext, detail);
    }

    private static Task ForbiddenAsync(ForbiddenContext context) =>
        GatewayProblems.WriteForbiddenAsync(context.HttpContext, "The caller is not allowed to perform this action.");

    private static bool IsExpired(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(inner => inner is SecurityTokenExpiredException),
        _ => false,
    };
}
