using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Service side: checks an <see cref="InternalIdentity.HeaderName"/> value. Cheap refusals first (length,
/// shape), then the signature in constant time, and only a value this deployment signed is ever parsed. A value
/// that passed is remembered (<see cref="ValidatedIdentityCache"/>): the same value again costs a lookup and the
/// time checks.
/// </summary>
public sealed class InternalIdentityValidator
{
    private const int StackLimit = 1024;

    private readonly byte[] _key;
    private readonly long _clockSkewSeconds;
    private readonly TimeProvider _time;
    private readonly ValidatedIdentityCache _validated;

    public InternalIdentityValidator(IOptions<InternalIdentityOptions> options, TimeProvider time)
    {
        _key = options.Value.CreateKeyBytes();
        _clockSkewSeconds = (long)options.Value.ClockSkew.TotalSeconds;
        _time = time;
        _validated = new ValidatedIdentityCache(_clockSkewSeconds, (long)options.Value.Lifetime.TotalSeconds);
    }

    /// <summary>At most this many validated values are remembered; beyond, values are validated in full each time.</summary>
    public const int MaxRemembered = ValidatedIdentityCache.Capacity;

    /// <summary>How many validated values are remembered now (diagnostics).</summary>
    public int RememberedCount => _validated.Count;

    public InternalIdentityValidationResult Validate(string? headerValue) => Validate(headerValue.AsSpan(), headerValue);

    public InternalIdentityValidationResult Validate(ReadOnlySpan<char> headerValue) => Validate(headerValue, null);

    private InternalIdentityValidationResult Validate(ReadOnlySpan<char> headerValue, string? headerString)
    {
        if (headerValue.IsEmpty || headerValue.Length > InternalIdentity.MaxHeaderLength)
        {
            return Failed(InternalIdentityFailure.Malformed);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (_validated.TryGet(headerValue, now, out var known))
        {
            return Check(known, now);
        }
        var entry = Authenticate(headerValue, out var failure);
        if (entry is null)
        {
            return Failed(failure);
        }
        var result = Check(entry, now);
        if (result.IsValid)
        {
            _validated.Add(headerValue, headerString, entry, now);
        }
        return result;
    }

    /// <summary>The caller a correctly signed, well-formed value names; <see langword="null"/> and why otherwise. No time checks.</summary>
    private ValidatedIdentityCache.Entry? Authenticate(ReadOnlySpan<char> headerValue, out InternalIdentityFailure failure)
    {
        failure = InternalIdentityFailure.Malformed;

        var dot = headerValue.IndexOf('.');
        if (dot <= 0 || headerValue.Length - dot - 1 != InternalIdentity.EncodedSignatureLength)
        {
            return null;
        }
        var payloadPart = headerValue[..dot];
        var signaturePart = headerValue[(dot + 1)..];

        Span<byte> presented = stackalloc byte[InternalIdentity.SignatureSize];
        // The OperationStatus overload: refusing garbage must not cost an exception.
        if (Base64Url.DecodeFromChars(signaturePart, presented, out _, out var signatureLength) != OperationStatus.Done ||
            signatureLength != InternalIdentity.SignatureSize)
        {
            return null;
        }

        // One encoding per signature: refuse variants that differ only in the unused low bits of the last character.
        Span<char> canonical = stackalloc char[InternalIdentity.EncodedSignatureLength];
        Base64Url.EncodeToChars(presented, canonical);
        if (!canonical.SequenceEqual(signaturePart))
        {
            return null;
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
                return null;
            }

            Span<byte> expected = stackalloc byte[InternalIdentity.SignatureSize];
            HMACSHA256.HashData(_key, payloadBytes, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, presented))
            {
                failure = InternalIdentityFailure.BadSignature;
                return null;
            }

            // Authentic from here on: this deployment's gateway wrote these bytes.
            int jsonLength;
            try
            {
                jsonLength = Base64Url.DecodeFromUtf8InPlace(payloadBytes);
            }
            catch (FormatException)
            {
                return null;
            }
            return ToEntry(Deserialize(payloadBytes[..jsonLength]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static ValidatedIdentityCache.Entry? ToEntry(InternalIdentityPayload? payload)
    {
        if (payload is null || payload.Organization == Guid.Empty || payload.ExpiresAt <= payload.IssuedAt ||
            payload.Groups is null || payload.Scopes is null)
        {
            return null;
        }
        var identity = new CallerIdentity
        {
            OrganizationId = payload.Organization,
            UserId = payload.Subject,
            Role = payload.Role,
            GroupIds = payload.Groups,
            KeyId = payload.Key,
            Scopes = payload.Scopes,
        };
        return new ValidatedIdentityCache.Entry(identity, identity.ToClaims(), payload.IssuedAt, payload.ExpiresAt);
    }

    private InternalIdentityValidationResult Check(ValidatedIdentityCache.Entry entry, long now)
    {
        if (entry.IssuedAt > now + _clockSkewSeconds)
        {
            return Failed(InternalIdentityFailure.NotYetValid);
        }
        if (now >= entry.ExpiresAt + _clockSkewSeconds)
        {
            return Failed(InternalIdentityFailure.Expired);
        }
        return InternalIdentityValidationResult.Success(
            entry.Identity, entry.Claims, DateTimeOffset.FromUnixTimeSeconds(entry.IssuedAt), DateTimeOffset.FromUnixTimeSeconds(entry.ExpiresAt));
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
