using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Synaxis.ServiceKit.Security;
using static Synaxis.ServiceKit.Tests.Security.InternalIdentityTestKeys;

namespace Synaxis.ServiceKit.Tests.Security;

public sealed class InternalIdentitySignerValidatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private readonly TestClock _clock = new(Start);
    private readonly InternalIdentitySigner _signer;
    private readonly InternalIdentityValidator _validator;

    public InternalIdentitySignerValidatorTests()
    {
        _signer = new InternalIdentitySigner(Options(), _clock);
        _validator = new InternalIdentityValidator(Options(), _clock);
    }

    private static CallerIdentity Caller() => new()
    {
        OrganizationId = Guid.NewGuid(),
        UserId = Guid.NewGuid(),
        Role = OrganizationRoles.Admin,
        GroupIds = [Guid.NewGuid(), Guid.NewGuid()],
        KeyId = Guid.NewGuid(),
        Scopes = ["inference", "admin"],
    };

    [Fact]
    public void A_signed_identity_round_trips_every_field()
    {
        var caller = Caller();
        var header = _signer.Sign(caller);

        var result = _validator.Validate(header);

        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(caller.OrganizationId, result.Identity.OrganizationId);
        Assert.Equal(caller.UserId, result.Identity.UserId);
        Assert.Equal(caller.Role, result.Identity.Role);
        Assert.Equal(caller.GroupIds, result.Identity.GroupIds);
        Assert.Equal(caller.KeyId, result.Identity.KeyId);
        Assert.Equal(caller.Scopes, result.Identity.Scopes);
        Assert.Null(result.Identity.RequestId);
        Assert.Equal(Start, result.IssuedAt);
        Assert.Equal(Start.AddSeconds(60), result.ExpiresAt);
    }

    [Fact]
    public void The_header_is_two_base64url_parts_with_the_documented_payload_names()
    {
        var caller = Caller();
        var header = _signer.Sign(caller);

        var parts = header.Split('.');
        Assert.Equal(2, parts.Length);
        Assert.Equal(43, parts[1].Length);
        Assert.DoesNotContain('=', header);

        using var payload = JsonDocument.Parse(PayloadJson(header));
        var root = payload.RootElement;
        Assert.Equal(caller.UserId, root.GetProperty("sub").GetGuid());
        Assert.Equal(caller.OrganizationId, root.GetProperty("org").GetGuid());
        Assert.Equal("Admin", root.GetProperty("role").GetString());
        Assert.Equal(2, root.GetProperty("groups").GetArrayLength());
        Assert.Equal(caller.KeyId, root.GetProperty("key").GetGuid());
        Assert.Equal(["inference", "admin"], root.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.False(root.TryGetProperty("rid", out _), "the request id travels in x-request-id, not in the signed caller");
        Assert.Equal(Start.ToUnixTimeSeconds(), root.GetProperty("iat").GetInt64());
        Assert.Equal(Start.ToUnixTimeSeconds() + 60, root.GetProperty("exp").GetInt64());
    }

    [Fact]
    public void A_principal_with_jwt_claims_is_signed_with_its_user_organization_role_and_groups()
    {
        var (userId, organizationId, group1, group2) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("sub", userId.ToString()),
            new Claim("org_id", organizationId.ToString()),
            new Claim("org_role", "Owner"),
            new Claim("groups", group1.ToString()),
            new Claim("groups", group2.ToString()),
            new Claim("jti", "ignored"),
        ], "Bearer"));

        Assert.True(_signer.TrySign(principal, out var header));
        var result = _validator.Validate(header);

        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(userId, result.Identity.UserId);
        Assert.Equal(organizationId, result.Identity.OrganizationId);
        Assert.Equal("Owner", result.Identity.Role);
        Assert.Equal([group1, group2], result.Identity.GroupIds);
        Assert.Null(result.Identity.KeyId);
        Assert.Empty(result.Identity.Scopes);
        Assert.DoesNotContain("\"key\"", PayloadJson(header));
    }

    [Fact]
    public void An_anonymous_principal_or_one_without_an_organization_is_not_signed()
    {
        Assert.False(_signer.TrySign(new ClaimsPrincipal(new ClaimsIdentity()), out _));
        var noOrganization = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString())], "Bearer"));
        Assert.False(_signer.TrySign(noOrganization, out _));
        var badOrganization = new ClaimsPrincipal(new ClaimsIdentity([new Claim("org_id", "not-a-guid")], "Bearer"));
        Assert.False(_signer.TrySign(badOrganization, out _));
    }

    [Fact]
    public void A_tampered_payload_is_refused()
    {
        var header = _signer.Sign(Caller());
        var json = PayloadJson(header);
        using var original = JsonDocument.Parse(json);
        var forgedJson = json.Replace(original.RootElement.GetProperty("org").GetString()!, Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("\"Admin\"", "\"Owner\"", StringComparison.Ordinal);
        var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forgedJson)) + header[header.IndexOf('.')..];

        Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(forged).Failure);

        // One character of the encoded payload changed, signature kept.
        var flipped = (header[0] == 'e' ? "f" : "e") + header[1..];
        Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(flipped).Failure);
    }

    [Fact]
    public void A_tampered_signature_is_refused()
    {
        var header = _signer.Sign(Caller());
        var dot = header.IndexOf('.');
        var flipped = header[..(dot + 1)] + (header[dot + 1] == 'A' ? 'B' : 'A') + header[(dot + 2)..];

        Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(flipped).Failure);
    }

    [Fact]
    public void A_non_canonical_spelling_of_the_signature_is_refused()
    {
        var header = _signer.Sign(Caller());
        // 32 bytes use only 4 of the last character's 6 bits; flipping an unused bit keeps the bytes the same.
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = alphabet.IndexOf(header[^1]);
        var variant = header[..^1] + alphabet[last ^ 1];

        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(variant).Failure);
    }

    [Fact]
    public void An_identity_signed_with_another_key_is_refused()
    {
        var otherSigner = new InternalIdentitySigner(Options(OtherKey), _clock);
        var header = otherSigner.Sign(Caller());

        Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(header).Failure);
        Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(SignRaw("{}", OtherKey)).Failure);
    }

    [Fact]
    public void An_identity_expires_after_its_lifetime_and_the_clock_skew()
    {
        var header = _signer.Sign(Caller());

        _clock.Advance(TimeSpan.FromSeconds(60 + 29));
        Assert.True(_validator.Validate(header).IsValid);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var result = _validator.Validate(header);
        Assert.Equal(InternalIdentityFailure.Expired, result.Failure);
        Assert.Null(result.Identity);

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(InternalIdentityFailure.Expired, _validator.Validate(header).Failure);
    }

    [Fact]
    public void An_identity_issued_in_the_future_beyond_the_skew_is_not_valid_yet()
    {
        var aheadByTwenty = new InternalIdentitySigner(Options(), new TestClock(Start.AddSeconds(20)));
        Assert.True(_validator.Validate(aheadByTwenty.Sign(Caller())).IsValid);

        var aheadByAMinute = new InternalIdentitySigner(Options(), new TestClock(Start.AddMinutes(1)));
        Assert.Equal(InternalIdentityFailure.NotYetValid, _validator.Validate(aheadByAMinute.Sign(Caller())).Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("no-dot-at-all")]
    [InlineData("a.b")]
    [InlineData(".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("eyJvcmciOjF9.!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("eyJvcmciOjF9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("eyJvcmciOjF9.AAAAAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAA")]
    [InlineData("eyJvcmciOjF9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ey\u00e9vcmciOjF9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_values_are_refused_as_malformed(string value)
    {
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(value).Failure);
    }

    [Fact]
    public void A_null_value_is_malformed()
    {
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate((string?)null).Failure);
    }

    [Fact]
    public void A_huge_value_is_refused_before_it_is_decoded_or_hashed()
    {
        // A correctly signed value, only too long: refused on length alone.
        var bigJson = "{\"org\":\"" + Guid.NewGuid() + "\",\"role\":\"" + new string('x', 9000) + "\",\"iat\":1,\"exp\":2}";
        var signed = SignRaw(bigJson);
        Assert.True(signed.Length > InternalIdentity.MaxHeaderLength);
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(signed).Failure);

        var garbage = new string('A', 1024 * 1024) + ".x";
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(garbage).Failure);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"org\":\"00000000-0000-0000-0000-000000000000\",\"iat\":1,\"exp\":2}")]
    [InlineData("{\"org\":\"not-a-guid\",\"iat\":1,\"exp\":2}")]
    [InlineData("{\"org\":\"3f2c1a8e-0d7b-4c4e-9a51-6c1b2d3e4f50\",\"iat\":5,\"exp\":5}")]
    [InlineData("{\"org\":\"3f2c1a8e-0d7b-4c4e-9a51-6c1b2d3e4f50\",\"groups\":null,\"iat\":1,\"exp\":2}")]
    public void A_correctly_signed_payload_of_the_wrong_shape_is_malformed(string json)
    {
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(SignRaw(json)).Failure);
    }

    [Fact]
    public void There_is_no_algorithm_to_negotiate_so_jwt_style_confusion_fails()
    {
        var now = Start.ToUnixTimeSeconds();
        var claims = $"{{\"org\":\"{Guid.NewGuid()}\",\"role\":\"Owner\",\"iat\":{now},\"exp\":{now + 60}}}";
        string Encode(string s) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(s));

        // alg:none JWT: header.payload. (empty signature)
        var unsigned = Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Encode(claims) + ".";
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(unsigned).Failure);

        // Our two-part shape with an empty or absent signature.
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(Encode(claims) + ".").Failure);
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(Encode(claims)).Failure);

        // A real HS256 JWT made with the very same key still is not an internal identity.
        var jwtSigningInput = Encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + Encode(claims);
        var jwt = jwtSigningInput + "." + Base64Url.EncodeToString(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.ASCII.GetBytes(jwtSigningInput)));
        Assert.Equal(InternalIdentityFailure.Malformed, _validator.Validate(jwt).Failure);

        // A payload that names an algorithm is just data: the signature still decides.
        var withAlg = $"{{\"alg\":\"none\",\"org\":\"{Guid.NewGuid()}\",\"iat\":{now},\"exp\":{now + 60}}}";
        Assert.Equal(InternalIdentityFailure.BadSignature, _validator.Validate(Encode(withAlg) + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").Failure);
        Assert.True(_validator.Validate(SignRaw(withAlg)).IsValid);
    }

    [Fact]
    public void A_short_or_missing_key_is_refused_naming_the_setting()
    {
        var shortKey = Assert.Throws<SecurityConfigurationException>(() => new InternalIdentitySigner(Options("0123456789"), _clock));
        Assert.Contains("InternalIdentity:SigningKey", shortKey.Message);
        Assert.Contains("10 characters", shortKey.Message);

        var missing = Assert.Throws<SecurityConfigurationException>(() => new InternalIdentityValidator(Options(""), _clock));
        Assert.Contains("InternalIdentity:SigningKey", missing.Message);
        Assert.Contains("missing", missing.Message);
    }

    [Fact]
    public void A_caller_in_too_many_groups_cannot_be_signed_into_a_value_services_would_refuse()
    {
        var caller = Caller() with { GroupIds = Enumerable.Range(0, 400).Select(_ => Guid.NewGuid()).ToArray() };
        Assert.Throws<InvalidOperationException>(() => _signer.Sign(caller));
    }

    [Fact]
    public void Large_identities_take_the_pooled_path_and_still_round_trip()
    {
        var caller = Caller() with { GroupIds = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToArray() };
        var header = _signer.Sign(caller);
        Assert.True(header.Length > 1024);

        var result = _validator.Validate(header);
        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal(caller.GroupIds, result.Identity.GroupIds);
    }
}
