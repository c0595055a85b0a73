using System.Security.Claims;
using Synaxis.ServiceKit.Security;
using static Synaxis.ServiceKit.Tests.Security.InternalIdentityTestKeys;

namespace Synaxis.ServiceKit.Tests.Security;

/// <summary>One signed value per caller for half its lifetime (gateway), remembered once validated (service).</summary>
public sealed class InternalIdentityReuseTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly TestClock _clock = new(Start);
    private readonly InternalIdentitySigner _signer;
    private readonly InternalIdentityValidator _validator;

    public InternalIdentityReuseTests()
    {
        _signer = new InternalIdentitySigner(Options(), _clock);
        _validator = new InternalIdentityValidator(Options(), _clock);
    }

    private static CallerIdentity Caller() => new()
    {
        OrganizationId = Guid.NewGuid(),
        UserId = Guid.NewGuid(),
        Role = OrganizationRoles.Member,
        GroupIds = [Guid.NewGuid()],
        KeyId = Guid.NewGuid(),
        Scopes = ["inference"],
    };

    [Fact]
    public void A_reused_identity_is_the_same_value_until_half_its_lifetime_has_passed_then_signed_afresh()
    {
        var caller = Caller();
        SignedIdentity? slot = null;

        var first = _signer.Sign(caller, ref slot);
        Assert.Equal(first, slot?.Value);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Same(first, _signer.Sign(caller, ref slot));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = _signer.Sign(caller, ref slot);
        Assert.NotEqual(first, second);
        var result = _validator.Validate(second);
        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(_clock.GetUtcNow(), result.IssuedAt);
        Assert.Equal(caller.OrganizationId, result.Identity.OrganizationId);

        // The first value is still valid for the hop that carries it: issued 30 s ago, valid for 60 s.
        Assert.True(_validator.Validate(first).IsValid);
    }

    [Fact]
    public void A_value_validated_once_is_remembered_and_its_times_are_still_checked_on_every_use()
    {
        var header = _signer.Sign(Caller());

        Assert.True(_validator.Validate(header).IsValid);
        Assert.True(_validator.Validate(header).IsValid);
        Assert.True(_validator.Validate(header.AsSpan()).IsValid);
        Assert.Equal(1, _validator.RememberedCount);

        _clock.Advance(TimeSpan.FromSeconds(60 + 30));
        var expired = _validator.Validate(header);
        Assert.Equal(InternalIdentityFailure.Expired, expired.Failure);
        Assert.Null(expired.Identity);
        Assert.Equal(0, _validator.RememberedCount);
        Assert.Equal(InternalIdentityFailure.Expired, _validator.Validate(header).Failure);
    }

    [Fact]
    public void A_tampered_copy_of_a_remembered_value_is_refused_and_refusals_are_not_remembered()
    {
        var header = _signer.Sign(Caller());
        Assert.True(_validator.Validate(header).IsValid);

        var dot = header.IndexOf('.');
        var badSignature = header[..(dot + 1)] + (header[dot + 1] == 'A' ? 'B' : 'A') + header[(dot + 2)..];
        var badPayload = (header[0] == 'e' ? "f" : "e") + header[1..];
        var forged = new InternalIdentitySigner(Options(OtherKey), _clock).Sign(Caller());
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(badSignature).Failure);
            Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(badPayload).Failure);
            Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(forged).Failure);
            Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(header + "x").Failure);
        }
        Assert.Equal(1, _validator.RememberedCount);
    }

    [Fact]
    public void An_identity_issued_too_far_ahead_is_refused_and_not_remembered()
    {
        var ahead = new InternalIdentitySigner(Options(), new TestClock(Start.AddMinutes(2))).Sign(Caller());

        Assert.Equal(InternalIdentityFailure.NotYetValid, _validator.Validate(ahead).Failure);
        Assert.Equal(0, _validator.RememberedCount);
    }

    [Fact]
    public void The_memory_is_bounded_full_it_still_validates_and_expired_values_are_swept_out()
    {
        var headers = Enumerable.Range(0, InternalIdentityValidator.MaxRemembered + 50).Select(_ => _signer.Sign(Caller())).ToList();
        foreach (var header in headers)
        {
            Assert.True(_validator.Validate(header).IsValid);
        }
        Assert.Equal(InternalIdentityValidator.MaxRemembered, _validator.RememberedCount);
        // Beyond the bound: still validated in full, every time.
        Assert.True(_validator.Validate(headers[^1]).IsValid);

        _clock.Advance(TimeSpan.FromSeconds(120));
        var fresh = _signer.Sign(Caller());
        Assert.True(_validator.Validate(fresh).IsValid);
        Assert.Equal(1, _validator.RememberedCount);
    }

    [Fact]
    public void Each_request_gets_its_own_principal_with_its_own_request_id()
    {
        var caller = Caller();
        var header = _signer.Sign(caller);

        var first = _validator.Validate(header).CreatePrincipal("SynaxisInternal", "request-1");
        var second = _validator.Validate(header).CreatePrincipal("SynaxisInternal", "request-2");
        ((ClaimsIdentity)first.Identity!).AddClaim(new Claim(SynaxisClaims.Scope, "admin"));

        Assert.Equal("request-1", first.GetRequestId());
        Assert.Equal("request-2", second.GetRequestId());
        Assert.Equal(["inference"], second.GetScopes());
        Assert.Equal(caller.UserId, second.GetUserId());
        Assert.Equal(caller.OrganizationId, second.GetOrganizationId());
        Assert.Equal(caller.GroupIds, second.GetGroupIds());
        Assert.Equal(caller.KeyId, second.GetKeyId());
        Assert.True(second.IsInRole(OrganizationRoles.Member));
        Assert.Equal(caller.UserId.ToString(), second.Identity!.Name);

        Assert.Throws<InvalidOperationException>(() => _validator.Validate("garbage").CreatePrincipal("SynaxisInternal", "r"));
    }
}
