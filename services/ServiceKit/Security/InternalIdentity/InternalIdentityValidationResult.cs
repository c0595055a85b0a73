using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;

namespace Synaxis.ServiceKit.Security;

public enum InternalIdentityFailure
{
    None,

    /// <summary>Not in the expected shape: empty, too long, not two base64url parts, or a payload that does not parse.</summary>
    Malformed,

    /// <summary>Well formed, but not signed with this deployment's key (forged or tampered).</summary>
    BadSignature,

    Expired,

    /// <summary>Issued further in the future than the tolerated clock skew.</summary>
    NotYetValid,
}

public readonly record struct InternalIdentityValidationResult
{
    private readonly Claim[]? _claims;

    private InternalIdentityValidationResult(
        CallerIdentity? identity, Claim[]? claims, InternalIdentityFailure failure, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        Identity = identity;
        _claims = claims;
        Failure = failure;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The signed caller; its <see cref="CallerIdentity.RequestId"/> is not part of the signature and is unset.</summary>
    public CallerIdentity? Identity { get; }

    public InternalIdentityFailure Failure { get; }

    public DateTimeOffset IssuedAt { get; }

    public DateTimeOffset ExpiresAt { get; }

    [MemberNotNullWhen(true, nameof(Identity))]
    public bool IsValid => Failure == InternalIdentityFailure.None && Identity is not null;

    /// <summary>Why the identity was refused, in words fit for a log line or a 401's detail.</summary>
    public string? FailureReason => Failure switch
    {
        InternalIdentityFailure.None => null,
        InternalIdentityFailure.Malformed => "The internal identity is malformed.",
        InternalIdentityFailure.BadSignature => "The internal identity's signature is not valid.",
        InternalIdentityFailure.Expired => "The internal identity has expired.",
        InternalIdentityFailure.NotYetValid => "The internal identity is not valid yet.",
        _ => "The internal identity is not valid.",
    };

    internal static InternalIdentityValidationResult Success(CallerIdentity identity, Claim[] claims, DateTimeOffset issuedAt, DateTimeOffset expiresAt) =>
        new(identity, claims, InternalIdentityFailure.None, issuedAt, expiresAt);

    /// <summary>A new principal for one request of the validated caller, carrying <paramref name="requestId"/> as <c>rid</c>.</summary>
    public ClaimsPrincipal CreatePrincipal(string authenticationType, string requestId)
    {
        if (!IsValid || _claims is null)
        {
            throw new InvalidOperationException("Only a valid internal identity becomes a principal.");
        }
        return CallerIdentity.CreatePrincipal(_claims, authenticationType, requestId);
    }

    public static InternalIdentityValidationResult Failed(InternalIdentityFailure failure) =>
        failure == InternalIdentityFailure.None
            ? throw new ArgumentOutOfRangeException(nameof(failure))
            : new(null, null, failure, default, default);
}
