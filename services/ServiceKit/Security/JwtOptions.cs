using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Access-token settings shared by the issuer (Identity) and the validator (gateway), bound from the
/// <c>Jwt</c> configuration section. The signing key comes from the AppHost's secret parameter.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";
    public const int MinimumSigningKeyLength = 32;

    public string Issuer { get; set; } = "synaxis-identity";

    public string Audience { get; set; } = "synaxis";

    public string? SigningKey { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Refuses to run with a missing or short key: HMAC-SHA256 wants at least 256 bits.</summary>
    public SymmetricSecurityKey CreateSigningKey()
    {
        if (string.IsNullOrWhiteSpace(SigningKey) || SigningKey.Length < MinimumSigningKeyLength)
        {
            throw new SecurityConfigurationException(
                $"The JWT signing key ('{SectionName}:SigningKey') must be at least {MinimumSigningKeyLength} characters; " +
                $"it is {(string.IsNullOrEmpty(SigningKey) ? "missing" : $"{SigningKey.Length} characters")}.");
        }
        return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)) { KeyId = "synaxis-hs256" };
    }

    /// <summary>Issuer, audience, lifetime and signature all checked; only HS256 accepted (so never <c>alg: none</c>).</summary>
    public TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidateIssuer = true,
        ValidIssuer = Issuer,
        ValidateAudience = true,
        ValidAudience = Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = CreateSigningKey(),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireSignedTokens = true,
        NameClaimType = SynaxisClaims.Subject,
        RoleClaimType = SynaxisClaims.OrganizationRole,
    };
}
