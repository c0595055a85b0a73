using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Synaxis.ServiceKit.Security;

/// <summary>
/// Gateway side: turns the authenticated caller into a signed <see cref="InternalIdentity.HeaderName"/> value. The value
/// names the caller, not the request (whose id travels in <c>x-request-id</c>), so a caller seen often can send the same
/// value for half its lifetime (<see cref="Sign(CallerIdentity, ref SignedIdentity?)"/>), and a service that has checked
/// it once recognises it.
/// </summary>
public sealed class InternalIdentitySigner
{
    private const int StackLimit = 1024;

    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public InternalIdentitySigner(IOptions<InternalIdentityOptions> options, TimeProvider time)
    {
        _key = options.Value.CreateKeyBytes();
        _lifetime = options.Value.Lifetime;
        _time = time;
    }

    /// <summary>
    /// Signs the caller held by <paramref name="principal"/>; <see langword="false"/> when it is unauthenticated
    /// or carries no valid organization id, in which case no identity must be forwarded.
    /// </summary>
    public bool TrySign(ClaimsPrincipal principal, [NotNullWhen(true)] out string? headerValue)
    {
        ArgumentNullException.ThrowIfNull(principal);
        headerValue = null;
        if (principal.Identity?.IsAuthenticated != true || principal.FindOrganizationId() is not { } organizationId)
        {
            return false;
        }

        var groups = principal.GetGroupIds();
        var scopes = principal.GetScopes();
        headerValue = Sign(new InternalIdentityPayload
        {
            Subject = principal.GetUserId(),
            Organization = organizationId,
            Role = principal.GetOrganizationRole(),
            Groups = groups as Guid[] ?? [.. groups],
            Key = principal.GetKeyId(),
            Scopes = scopes as string[] ?? [.. scopes],
        }, out _);
        return true;
    }

    /// <summary>A freshly signed value for <paramref name="caller"/> (its <see cref="CallerIdentity.RequestId"/> is not signed).</summary>
    public string Sign(CallerIdentity caller) => Sign(ToPayload(caller), out _);

    /// <summary>
    /// The value in <paramref name="reusable"/> while less than half its lifetime has passed (so it stays valid for the
    /// hop that carries it), else a freshly signed one, kept there. <paramref name="reusable"/> must only ever hold
    /// values signed for this same <paramref name="caller"/>. Concurrent callers may both sign; either value is right.
    /// </summary>
    public string Sign(CallerIdentity caller, ref SignedIdentity? reusable)
    {
        if (Volatile.Read(ref reusable) is { } current && _time.GetUtcNow() < current.RefreshAt)
        {
            return current.Value;
        }
        var value = Sign(ToPayload(caller), out var issuedAt);
        Volatile.Write(ref reusable, new SignedIdentity(value, issuedAt + _lifetime / 2));
        return value;
    }

    private static InternalIdentityPayload ToPayload(CallerIdentity caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.OrganizationId == Guid.Empty)
        {
            throw new ArgumentException("The caller has no organization.", nameof(caller));
        }
        return new InternalIdentityPayload
        {
            Subject = caller.UserId,
            Organization = caller.OrganizationId,
            Role = caller.Role,
            Groups = [.. caller.GroupIds],
            Key = caller.KeyId,
            Scopes = [.. caller.Scopes],
        };
    }

    private string Sign(InternalIdentityPayload payload, out DateTimeOffset issuedAt)
    {
        issuedAt = _time.GetUtcNow();
        payload.IssuedAt = issuedAt.ToUnixTimeSeconds();
        payload.ExpiresAt = issuedAt.Add(_lifetime).ToUnixTimeSeconds();

        var json = JsonScratch.Serialize(payload);
        var payloadLength = Base64Url.GetEncodedLength(json.Length);
        var totalLength = payloadLength + 1 + InternalIdentity.EncodedSignatureLength;
        if (totalLength > InternalIdentity.MaxHeaderLength)
        {
            throw new InvalidOperationException(
                $"The internal identity would be {totalLength} characters, above the {InternalIdentity.MaxHeaderLength} every service accepts " +
                $"(the caller is in {payload.Groups.Length} groups).");
        }

        byte[]? rentedBytes = null;
        char[]? rentedChars = null;
        try
        {
            var encoded = payloadLength <= StackLimit
                ? stackalloc byte[StackLimit]
                : (rentedBytes = ArrayPool<byte>.Shared.Rent(payloadLength));
            encoded = encoded[..payloadLength];
            Base64Url.EncodeToUtf8(json, encoded);

            Span<byte> signature = stackalloc byte[InternalIdentity.SignatureSize];
            HMACSHA256.HashData(_key, encoded, signature);

            var value = totalLength <= StackLimit
                ? stackalloc char[StackLimit]
                : (rentedChars = ArrayPool<char>.Shared.Rent(totalLength));
            value = value[..totalLength];
            Encoding.ASCII.GetChars(encoded, value);
            value[payloadLength] = '.';
            Base64Url.EncodeToChars(signature, value[(payloadLength + 1)..]);
            return new string(value);
        }
        finally
        {
            if (rentedBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBytes);
            }
            if (rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(rentedChars);
            }
        }
    }

    /// <summary>One reusable JSON buffer per thread: signing runs on every proxied request.</summary>
    private sealed class JsonScratch
    {
        private const int MaxRetainedCapacity = 16 * 1024;

        [ThreadStatic]
        private static JsonScratch? t_current;

        private readonly ArrayBufferWriter<byte> _buffer = new(512);
        private readonly Utf8JsonWriter _writer;

        private JsonScratch() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

        /// <summary>The span is valid until the next call on the same thread; nothing awaits in between.</summary>
        public static ReadOnlySpan<byte> Serialize(InternalIdentityPayload payload)
        {
            var scratch = t_current;
            if (scratch is null || scratch._buffer.Capacity > MaxRetainedCapacity)
            {
                t_current = scratch = new JsonScratch();
            }
            scratch._buffer.ResetWrittenCount();
            scratch._writer.Reset(scratch._buffer);
            JsonSerializer.Serialize(scratch._writer, payload, InternalIdentityJsonContext.Default.InternalIdentityPayload);
            return scratch._buffer.WrittenSpan;
        }
    }
}

/// <summary>A signed identity kept for reuse, and when to sign it afresh.</summary>
public sealed record SignedIdentity(string Value, DateTimeOffset RefreshAt);
