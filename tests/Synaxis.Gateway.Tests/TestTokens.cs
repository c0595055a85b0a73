using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Synaxis.Gateway.Tests;

/// <summary>Access tokens as Identity issues them (HS256, sub, org_id, org_role, groups, jti), and broken variants.</summary>
public sealed class TestTokens
{
    public const string JwtKey = "gateway-tests-jwt-signing-key-0123456789-abcdef";
    public const string InternalKey = "gateway-tests-internal-identity-key-0123456789";
    public const string Issuer = "synaxis-identity";
    public const string Audience = "synaxis";

    public Guid UserId { get; init; } = Guid.NewGuid();
    public Guid OrganizationId { get; init; } = Guid.NewGuid();
    public string Role { get; init; } = "Admin";
    public Guid[] Groups { get; init; } = [Guid.NewGuid(), Guid.NewGuid()];

    public string Mint(
        string key = JwtKey,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        bool withOrganization = true,
        IEnumerable<Claim>? extraClaims = null)
    {
        var now = DateTime.UtcNow;
        var claims = new List<Claim>
        {
            new("sub", UserId.ToString()),
            new("org_role", Role),
            new("jti", Guid.NewGuid().ToString()),
        };
        if (withOrganization)
        {
            claims.Add(new Claim("org_id", OrganizationId.ToString()));
        }
        claims.AddRange(Groups.Select(group => new Claim("groups", group.ToString())));
        claims.AddRange(extraClaims ?? []);

        var expiresAt = expires ?? now.AddMinutes(15);
        var issuedAt = expiresAt < now ? expiresAt.AddMinutes(-15) : now;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expiresAt,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The same claims with <c>alg: none</c> and no signature.</summary>
    public string MintUnsigned()
    {
        var signed = Mint();
        var payload = signed.Split('.')[1];
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        return header + "." + payload + ".";
    }
}
