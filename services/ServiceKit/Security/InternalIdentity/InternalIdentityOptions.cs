using System.Text;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Settings of the signed internal identity, bound from the <c>InternalIdentity</c> section. The gateway and
/// every service share the same key (the AppHost's <c>internal-identity-key</c> parameter).
/// </summary>
public sealed class InternalIdentityOptions
{
    public const string SectionName = "InternalIdentity";
    public const int MinimumSigningKeyLength = 32;

    public string? SigningKey { get; set; }

    /// <summary>How long a signed identity is valid: long enough for one hop, short enough to be useless if logged.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Tolerated clock difference between the gateway and a service, applied to both ends of the lifetime.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refuses a missing or short key and nonsensical times; returns the HMAC key bytes.</summary>
    public byte[] CreateKeyBytes()
    {
        if (string.IsNullOrWhiteSpace(SigningKey) || SigningKey.Length < MinimumSigningKeyLength)
        {
            throw new SecurityConfigurationException(
                $"The internal identity signing key ('{SectionName}:SigningKey') must be at least {MinimumSigningKeyLength} characters; " +
                $"it is {(string.IsNullOrEmpty(SigningKey) ? "missing" : $"{SigningKey.Length} characters")}.");
        }
        if (Lifetime <= TimeSpan.Zero || Lifetime > TimeSpan.FromMinutes(10))
        {
            throw new SecurityConfigurationException(
                $"'{SectionName}:Lifetime' must be positive and at most 10 minutes; it is {Lifetime}.");
        }
        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            throw new SecurityConfigurationException(
                $"'{SectionName}:ClockSkew' must be between 0 and 5 minutes; it is {ClockSkew}.");
        }
        return Encoding.UTF8.GetBytes(SigningKey);
    }
}
