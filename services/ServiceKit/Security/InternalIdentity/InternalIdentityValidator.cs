using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Service side: checks an <see cref="InternalIdentity.HeaderName"/> value. Cheap refusals first (length,
/// shape), then the signature in constant time, and only a value this deployment signed is ever parsed.
/// </summary>
public sealed class InternalIdentityValidator
{
    private const int StackLimit = 1024;

    private readonly byte[] _key;
    private readonly long _clockSkewSeconds;
    private readonly TimeProvider _time;

    public InternalIdentityValidator(IOptions<InternalIdentityOptions> options, TimeProvider time)
    {
        _key = options.Value.CreateKeyBytes();
        _clockSkewSeconds = (long)options.Value.ClockSkew.TotalSeconds;
        _time = time;
    }

    public InternalIdentityValidationResult Validate(string? headerValue) => Validate(headerValue.AsSpan());

    public InternalIdentityValidationResult Validate(ReadOnlySpan<char> headerValue)
    {
        if (headerValue.IsEmpty || headerValue.Length > InternalIdentity.MaxHeaderLength)
        {
            return Failed(InternalIdentityFailure.Malformed);
        }

        var dot = headerValue.IndexOf('.');
        if (dot <= 0 || headerValue.Length - dot - 1 != InternalIdentity.EncodedSignatureLength)
        {
            return Failed(InternalIdentityFailure.Malformed);
        }
        var payloadPart = headerValue[..dot];
        var signaturePart = headerValue[(dot + 1)..];

        Span<byte> presented = stackalloc byte[InternalIdentity.SignatureSize];
        // The OperationStatus overload: refusing garbage must not cost an exception.
        if (Base64Url.DecodeFromChars(signaturePart, presented, out _, out var signatureLength) != OperationStatus.Done ||
            signatureLength != InternalIdentity.SignatureSize)
        {
            return Failed(InternalIdentityFailure.Malformed);
        }

        // One encoding per signature: refuse variants that differ only in the unused low bits of the last character.
        Span<char> canonical = stackalloc char[InternalIdentity.EncodedSignatureLength];
        Base64Url.EncodeToChars(presented, canonical);
        if (!canonical.SequenceEqual(signaturePart))
        {
            return Failed(InternalIdentityFailure.Malformed);
        }

        byte[]? rented = null;
        try
        {
            var payloadBytes = payloadPart.Length <= StackLimit
                ? stackalloc byte[StackLimit]
                : (rented = ArrayPool<byte>.Shared.Rent(payloadPart.Length));
            payloadBytes = payloadBytes[..payloadPart.Length];
            if (Ascii.FromUtf16(payloadPart, payloadBytes, out _) != OperationStatus.Done)
            {
                return Failed(InternalIdentityFailure.Malformed);
            }

            Span<byte> expected = stackalloc byte[InternalIdentity.SignatureSize];
            HMACSHA256.HashData(_key, payloadBytes, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, presented))
            {
                return Failed(InternalIdentityFailure.BadSignature);
            }

            // Authentic from here on: this deployment's gateway wrote these bytes.
            int jsonLength;
            try
            {
                jsonLength = Base64Url.DecodeFromUtf8InPlace(payloadBytes);
            }
            catch (FormatException)
            {
                return Failed(InternalIdentityFailure.Malformed);
            }
            return Check(Deserialize(payloadBytes[..jsonLength]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private InternalIdentityValidationResult Check(InternalIdentityPayload? payload)
    {
        if (payload is null || payload.Organization == Guid.Empty || payload.RequestId.Length == 0 ||
            payload.ExpiresAt <= payload.IssuedAt || payload.Groups is null || payload.Scopes is null)
        {
            return Failed(InternalIdentityFailure.Malformed);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (payload.IssuedAt > now + _clockSkewSeconds)
        {
            return Failed(InternalIdentityFailure.NotYetValid);
        }
        if (now >= payload.ExpiresAt + _clockSkewSeconds)
        {
            return Failed(InternalIdentityFailure.Expired);
        }

        var identity = new CallerIdentity
        {
            OrganizationId = payload.Organization,
            UserId = payload.Subject,
            Role = payload.Role,
            GroupIds = payload.Groups,
            KeyId = payload.Key,
            Scopes = payload.Scopes,
            RequestId = payload.RequestId,
        };
        return InternalIdentityValidationResult.Success(
            identity,
            DateTimeOffset.FromUnixTimeSeconds(payload.IssuedAt),
            DateTimeOffset.FromUnixTimeSeconds(payload.ExpiresAt));
    }

    private static InternalIdentityPayload? Deserialize(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, InternalIdentityJsonContext.Default.InternalIdentityPayload);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static InternalIdentityValidationResult Failed(InternalIdentityFailure failure) =>
        InternalIdentityValidationResult.Failed(failure);
}
