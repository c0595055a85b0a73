using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Security;

/// <summary>
/// The gateway authenticates callers by Identity's access JWT. Which routes require it is per YARP route in
/// configuration (<c>AuthorizationPolicy</c>): <c>default</c> (an authenticated caller) for the admin APIs and
/// hubs, <c>anonymous</c> for sign-in. The <c>inference</c> route (<c>/v1</c>) deliberately carries no policy:
/// inference callers present API keys, and API-key authentication belongs to the Keys work, which adds it
/// for <c>/v1</c>. Until then <c>/v1</c> passes through unauthenticated; an access JWT sent there is still
/// validated and forwarded as the caller's signed identity.
/// </summary>
internal static class GatewayAuthentication
{
    public static void AddGatewayAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddInternalIdentitySigning();

        builder.Services.AddOptions<JwtOptions>()
            .BindConfiguration(JwtOptions.SectionName)
            .Validate<IOptions<InternalIdentityOptions>>((jwt, internalIdentity) => EnsureUsable(jwt, internalIdentity.Value))
            .ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwt) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = jwt.Value.CreateValidationParameters();
                bearer.Events = AccessTokenEvents.Create();
            });

        builder.Services.AddAuthorization();
    }

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
