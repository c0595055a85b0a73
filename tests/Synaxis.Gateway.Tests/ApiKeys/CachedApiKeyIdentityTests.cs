using Microsoft.Extensions.Options;
using Synaxis.Gateway.ApiKeys;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Tests.ApiKeys;

/// <summary>The identity a cached key signs once must be exactly the one its per-request principal would sign.</summary>
public sealed class CachedApiKeyIdentityTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly IOptions<InternalIdentityOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new InternalIdentityOptions { SigningKey = TestTokens.InternalKey });

    [Theory]
    [InlineData(OrganizationRoles.Member, true, new[] { ApiKeyScopes.Inference })]
    [InlineData(OrganizationRoles.Owner, false, new[] { ApiKeyScopes.Inference, ApiKeyScopes.Admin })]
    [InlineData("NotARole", true, new[] { ApiKeyScopes.Admin, "internal", ApiKeyScopes.Admin })]
    [InlineData(null, false, new string[0])]
    public void The_reused_identity_equals_the_one_signed_from_the_key_s_principal(string? role, bool inGroup, string[] scopes)
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var signer = new InternalIdentitySigner(Options, clock);
        var generated = ApiKeyFormat.Generate();
        var key = new CachedApiKey(
            new VerifiedApiKey(generated.Id, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), inGroup ? Guid.NewGuid() : null, role, scopes, null, null),
            KeyHash.Compute(generated.Key));

        Assert.True(signer.TrySign(key.CreatePrincipal(ApiKeyDefaults.AuthenticationScheme), out var fromPrincipal));
        Assert.Equal(fromPrincipal, key.SignedIdentity(signer));

        // Reused within half the lifetime, signed afresh (and still the principal's) after it.
        clock.Now += TimeSpan.FromSeconds(29);
        Assert.Same(key.SignedIdentity(signer), key.SignedIdentity(signer));
        Assert.Equal(fromPrincipal, key.SignedIdentity(signer));
        clock.Now += TimeSpan.FromSeconds(1);
        var refreshed = key.SignedIdentity(signer);
        Assert.NotEqual(fromPrincipal, refreshed);
        Assert.True(signer.TrySign(key.CreatePrincipal(ApiKeyDefaults.AuthenticationScheme), out var fromPrincipalNow));
        Assert.Equal(fromPrincipalNow, refreshed);
    }
}
