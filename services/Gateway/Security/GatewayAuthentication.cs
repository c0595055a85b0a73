using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Synaxis.Gateway.ApiKeys;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Security;

/// <summary>
/// The gateway authenticates callers by API key or by Identity's access JWT. One policy scheme is the default and
/// forwards each request to the scheme of the credential it carries: an API key (<c>x-api-key</c>, or a bearer value
/// starting with <c>synaxis_</c>) to <see cref="ApiKeyDefaults.AuthenticationScheme"/>, anything else to the JWT
/// bearer scheme. Which routes require what is per YARP route in configuration (<c>AuthorizationPolicy</c>):
/// <see cref="GatewayPolicies.Inference"/> for <c>/v1</c>, <see cref="GatewayPolicies.Admin"/> for the admin APIs and
/// hubs, <c>anonymous</c> for sign-in.
/// </summary>
internal static class GatewayAuthentication
{
    public const string SelectorScheme = "Synaxis";

    public static void AddGatewayAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddInternalIdentitySigning();

        builder.Services.AddOptions<JwtOptions>()
            .BindConfiguration(JwtOptions.SectionName)
            .Validate<IOptions<InternalIdentityOptions>>((jwt, internalIdentity) => EnsureUsable(jwt, internalIdentity.Value))
            .ValidateOnStart();

        builder.Services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or access token", options => options.ForwardDefaultSelector = SelectScheme)
            .AddJwtBearer()
            .AddApiKey();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwt) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = jwt.Value.CreateValidationParameters();
                bearer.Events = AccessTokenEvents.Create();
            });
        builder.AddApiKeyVerification();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(GatewayPolicies.Inference, policy => policy
                .RequireAuthenticatedUser()
                .RequireClaim(SynaxisClaims.OrganizationId)
                .RequireAssertion(context => GatewayPolicies.MayUse(context.User, ApiKeyScopes.Inference)))
            .AddPolicy(GatewayPolicies.Admin, policy => policy
                .RequireAuthenticatedUser()
                .RequireClaim(SynaxisClaims.OrganizationId)
                .RequireAssertion(context => GatewayPolicies.MayUse(context.User, ApiKeyScopes.Admin)));
    }

    private static string SelectScheme(HttpContext context) =>
        ApiKeyCredentials.IsPresented(context.Request) ? ApiKeyDefaults.AuthenticationScheme : JwtBearerDefaults.AuthenticationScheme;

    /// <summary>Throws <see cref="SecurityConfigurationException"/> at startup for a missing, short or reused key.</summary>
    private static bool EnsureUsable(JwtOptions jwt, InternalIdentityOptions internalIdentity)
    {
        _ = jwt.CreateSigningKey();
        if (string.Equals(jwt.SigningKey, internalIdentity.SigningKey, StringComparison.Ordinal))
        {
            throw new SecurityConfigurationException(
                $"'{JwtOptions.SectionName}:SigningKey' and '{InternalIdentityOptions.SectionName}:SigningKey' must be different secrets: " +
                "every service holds the internal identity key, and none but Identity may be able to mint access tokens.");
        }
        return true;
    }
}

/// <summary>The route policies of the gateway (named in the YARP routes' <c>AuthorizationPolicy</c>).</summary>
internal static class GatewayPolicies
{
    /// <summary><c>/v1</c>: an access token, or an API key with the <c>inference</c> scope.</summary>
    public const string Inference = "inference";

    /// <summary><c>/api</c> and <c>/hubs</c>: an access token, or an API key with the <c>admin</c> scope.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// A user's access token may use every API (the services check roles); an API key only what its scopes name.
    /// </summary>
    public static bool MayUse(ClaimsPrincipal user, string scope) =>
        user.Identity?.AuthenticationType != ApiKeyDefaults.AuthenticationScheme || user.HasClaim(SynaxisClaims.Scope, scope);
}
