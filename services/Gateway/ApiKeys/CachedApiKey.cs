using System.Security.Claims;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// A verified key as the hot path needs it: the Keys service's answer, with every claim value formatted once, so
/// a cached request turns into a principal without formatting a Guid.
/// </summary>
internal sealed class CachedApiKey
{
    private readonly string _userId;
    private readonly string _organizationId;
    private readonly string? _groupId;
    private readonly string _apiKeyId;
    private readonly string? _role;
    private readonly string[] _scopes;
    private readonly CallerIdentity _caller;
    private SignedIdentity? _signedCaller;
    private int _usagePending;

    public CachedApiKey(VerifiedApiKey key, KeyHash hash)
    {
        Key = key;
        Hash = hash;
        _userId = key.UserId.ToString();
        _organizationId = key.OrganizationId.ToString();
        _groupId = key.GroupId?.ToString();
        _apiKeyId = key.ApiKeyId.ToString();
        _role = OrganizationRoles.All.Contains(key.Role) ? key.Role : null;
        // Only scopes a key can hold: whatever else a record says (say, "internal") must never reach a service.
        _scopes = [.. key.Scopes.Where(ApiKeyScopes.IsKnown).Distinct(StringComparer.Ordinal)];
        _caller = new CallerIdentity
        {
            OrganizationId = key.OrganizationId,
            UserId = key.UserId,
            Role = _role,
            GroupIds = key.GroupId is { } groupId ? [groupId] : [],
            KeyId = key.ApiKeyId,
            Scopes = _scopes,
        };
    }

    public VerifiedApiKey Key { get; }

    public KeyHash Hash { get; }

    public string KeyId => Key.KeyId;

    public bool HasScope(string scope) => Array.IndexOf(_scopes, scope) >= 0;

    public bool IsExpired(DateTimeOffset now) => Key.ExpiresAt is { } expiresAt && expiresAt <= now;

    /// <summary>
    /// Marks the key as used since the last flush; <see langword="true"/> only for the first use, so the recorder
    /// queues each key once per interval and later uses cost one read.
    /// </summary>
    public bool TryMarkUsed() => Volatile.Read(ref _usagePending) == 0 && Interlocked.Exchange(ref _usagePending, 1) == 0;

    public void ClearUsed() => Volatile.Write(ref _usagePending, 0);

    /// <summary>
    /// A fresh principal per request (claims are mutable, so none is shared): <c>sub</c>, <c>org_id</c>,
    /// <c>org_role</c>, <c>groups</c>, <c>key_id</c> (the row id) and one <c>scope</c> per scope, exactly the names
    /// the internal identity signer reads.
    /// </summary>
    public ClaimsPrincipal CreatePrincipal(string authenticationType)
    {
        var identity = new ClaimsIdentity(authenticationType, SynaxisClaims.Subject, SynaxisClaims.OrganizationRole);
        // Claims made with their subject are added as they are; others would be cloned.
        Add(identity, SynaxisClaims.Subject, _userId);
        Add(identity, SynaxisClaims.OrganizationId, _organizationId);
        if (_role is not null)
        {
            Add(identity, SynaxisClaims.OrganizationRole, _role);
        }
        if (_groupId is not null)
        {
            Add(identity, SynaxisClaims.Groups, _groupId);
        }
        Add(identity, SynaxisClaims.KeyId, _apiKeyId);
        foreach (var scope in _scopes)
        {
            Add(identity, SynaxisClaims.Scope, scope);
        }
        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// The internal identity of the principal <see cref="CreatePrincipal"/> makes (the same caller), signed once and
    /// sent with this key's requests until half its lifetime has passed.
    /// </summary>
    public string SignedIdentity(InternalIdentitySigner signer) => signer.Sign(_caller, ref _signedCaller);

    private static void Add(ClaimsIdentity identity, string type, string value) =>
        identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
}
