namespace Synaxis.ServiceKit.Security;

/// <summary>
/// The identity the gateway forwards to every service: who called (organization, user, groups, API key,
/// scopes) and under which request id, signed so a service can trust it without calling anyone.
/// </summary>
/// <remarks>
/// Wire format of the header value: <c>base64url(payloadJson) "." base64url(HMAC-SHA256(key, ascii(payloadPart)))</c>.
/// There is no algorithm field to negotiate, so there is nothing like JWT's <c>alg</c> to confuse: one format,
/// one algorithm, one key.
/// </remarks>
public static class InternalIdentity
{
    public const string HeaderName = "X-Synaxis-Identity";

    /// <summary>Every header with this prefix is internal: the gateway removes them from client requests.</summary>
    public const string InternalHeaderPrefix = "X-Synaxis-";

    /// <summary>Longer values are refused before any decoding or hashing.</summary>
    public const int MaxHeaderLength = 8 * 1024;

    internal const int SignatureSize = 32; // HMAC-SHA256
    internal const int EncodedSignatureLength = 43; // base64url of 32 bytes, unpadded
}

public static class InternalIdentityDefaults
{
    public const string AuthenticationScheme = "SynaxisInternal";
}
