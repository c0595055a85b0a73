using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Security;

namespace Synaxis.ServiceKit.Tests.Security;

internal static class InternalIdentityTestKeys
{
    public const string Key = "internal-identity-test-key-0123456789-abcdef";
    public const string OtherKey = "another-deployment-key-0123456789-abcdefghij";

    public static IOptions<InternalIdentityOptions> Options(string key = Key) =>
        Microsoft.Extensions.Options.Options.Create(new InternalIdentityOptions { SigningKey = key });

    /// <summary>Signs arbitrary payload bytes the way the format says, to probe what the validator does with them.</summary>
    public static string SignRaw(ReadOnlySpan<byte> payload, string key = Key)
    {
        var payloadPart = Base64Url.EncodeToString(payload);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(payloadPart));
        return payloadPart + "." + Base64Url.EncodeToString(signature);
    }

    public static string SignRaw(string json, string key = Key) => SignRaw(Encoding.UTF8.GetBytes(json), key);

    public static string PayloadJson(string headerValue) =>
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(headerValue.AsSpan(0, headerValue.IndexOf('.'))));
}
