using Microsoft.AspNetCore.DataProtection;

namespace Synaxis.Routing.Security;

/// <summary>
/// Encrypts provider API keys at rest with ASP.NET Core Data Protection. The key ring lives in the Routing schema
/// (<c>DataProtectionKeys</c>), so every Routing instance can decrypt what any other encrypted.
/// </summary>
public sealed class ProviderKeyProtector(IDataProtectionProvider dataProtection)
{
    /// <summary>Changing it makes every stored key unreadable: a new purpose needs a re-encryption.</summary>
    public const string Purpose = "Synaxis.Routing.ProviderApiKey.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public string Protect(string apiKey) => _protector.Protect(apiKey);

    /// <exception cref="System.Security.Cryptography.CryptographicException">Not protected with this key ring and purpose.</exception>
    public string Unprotect(string protectedApiKey) => _protector.Unprotect(protectedApiKey);
}
