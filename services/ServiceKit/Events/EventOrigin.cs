using System.Security.Claims;
using Synaxis.ServiceKit.Security;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Who caused an event and under which request: the actor part of <see cref="SynaxisEvent"/>.
/// Change one part of the current origin with <c>with</c>, e.g. <c>outbox.CurrentOrigin with { RequestId = id }</c>.
/// </summary>
/// <param name="ClientAddress">The caller's IP address as the gateway saw it; null outside a request.</param>
/// <param name="UserAgent">The caller's <c>User-Agent</c>, at most <see cref="MaxUserAgentLength"/> characters; null outside a request.</param>
public sealed record EventOrigin(
    string ActorType,
    Guid? ActorId = null,
    string? RequestId = null,
    string? ClientAddress = null,
    string? UserAgent = null)
{
    /// <summary>Longest <see cref="UserAgent"/> kept; longer ones are cut (the rest is rarely more than noise).</summary>
    public const int MaxUserAgentLength = 512;

    /// <summary>Longest <see cref="ClientAddress"/> kept (an IPv6 address with a zone fits).</summary>
    public const int MaxClientAddressLength = 64;

    /// <summary>The platform itself, outside any request.</summary>
    public static EventOrigin System { get; } = new(EventActorTypes.System);

    public static EventOrigin User(Guid userId, string? requestId = null) => new(EventActorTypes.User, userId, requestId);

    public static EventOrigin Key(Guid keyId, string? requestId = null) => new(EventActorTypes.Key, keyId, requestId);

    /// <summary>
    /// The origin of an event that <paramref name="cause"/> led to (a cascade such as revoking the keys
    /// of a deleted organization): same actor and request id, so Audit ties the two together.
    /// </summary>
    public static EventOrigin CausedBy(SynaxisEvent cause) =>
        new(cause.ActorType, cause.ActorId, cause.RequestId, cause.ClientAddress, cause.UserAgent);

    /// <summary>
    /// This origin with the client's address and user agent, where it has none of its own (an origin built for a
    /// request keeps the request's client). Values are cut to <see cref="MaxClientAddressLength"/> and
    /// <see cref="MaxUserAgentLength"/>; blank ones read as absent.
    /// </summary>
    public EventOrigin WithClient(string? clientAddress, string? userAgent) => this with
    {
        ClientAddress = ClientAddress ?? Trim(clientAddress, MaxClientAddressLength),
        UserAgent = UserAgent ?? Trim(userAgent, MaxUserAgentLength),
    };

    /// <summary>
    /// The caller a request was authenticated as: an API key when the identity carries
    /// <c>key_id</c>, else the user in <c>sub</c>, else the system (anonymous or no request).
    /// The request id is the gateway's <c>rid</c> claim.
    /// </summary>
    public static EventOrigin FromPrincipal(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            return System;
        }
        var requestId = principal.FindFirst(SynaxisClaims.RequestId)?.Value;
        if (principal.FindFirst(SynaxisClaims.KeyId)?.Value is { } keyId)
        {
            return new EventOrigin(EventActorTypes.Key, ParseGuid(keyId), requestId);
        }
        // The JWT handler maps "sub" to NameIdentifier unless inbound claim mapping is off; accept both.
        var subject = principal.FindFirst(SynaxisClaims.Subject)?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        return subject is null
            ? System with { RequestId = requestId }
            : new EventOrigin(EventActorTypes.User, ParseGuid(subject), requestId);
    }

    /// <summary>The caller's organization (<c>org_id</c>), if the identity carries one.</summary>
    public static Guid? OrganizationOf(ClaimsPrincipal? principal) =>
        principal?.Identity?.IsAuthenticated == true ? ParseGuid(principal.FindFirst(SynaxisClaims.OrganizationId)?.Value) : null;

    private static Guid? ParseGuid(string? value) => Guid.TryParse(value, out var id) ? id : null;

    private static string? Trim(string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim();
        // Never cut a surrogate pair in half: half a character is not text (and PostgreSQL refuses it).
        return value.Length <= maxLength ? value
            : char.IsHighSurrogate(value[maxLength - 1]) ? value[..(maxLength - 1)] : value[..maxLength];
    }
}
