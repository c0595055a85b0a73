using System.Net;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Tests;

/// <summary>POST /internal/keys/verify: the gateway's bcrypt-backed check, and revocation reaching the gateways' caches.</summary>
[Collection(KeysServiceCollection.Name)]
public sealed class VerifyTests(KeysServiceFixture fixture)
{
    private readonly KeysApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task A_valid_key_answers_200_with_its_owner_scopes_and_limits()
    {
        var admin = TestCaller.NewOrganization(OrganizationRoles.Admin);
        var groupId = await fixture.CreateGroupAsync(admin.OrganizationId);
        var expiresAt = DateTimeOffset.UtcNow.AddDays(1);
        var created = await _api.CreateAsync(admin, scopes: ["inference", "admin"], groupId: groupId, expiresAt: expiresAt, allowedModels: ["gpt-4o"]);

        var outcome = await _api.VerifyAsync(created.Key);

        Assert.Equal(HttpStatusCode.OK, outcome.Status);
        var key = outcome.Key!;
        ApiKeyFormat.TryParse(created.Key, out var keyId);
        Assert.Equal(keyId.ToString(), key.KeyId);
        Assert.Equal(created.Id, key.ApiKeyId);
        Assert.Equal(admin.OrganizationId, key.OrganizationId);
        Assert.Equal(admin.UserId, key.UserId);
        Assert.Equal(groupId, key.GroupId);
        Assert.Equal(OrganizationRoles.Admin, key.Role);
        Assert.Equal(["inference", "admin"], key.Scopes);
        Assert.Equal(["gpt-4o"], key.AllowedModels);
        Assert.Equal(created.ExpiresAt, key.ExpiresAt);
        // camelCase on the wire, as the contract says.
        Assert.Contains("\"apiKeyId\"", outcome.Body);
        Assert.Contains("\"organizationId\"", outcome.Body);
        Assert.DoesNotContain(created.Key, outcome.Body);
    }

    [Fact]
    public async Task A_wrong_secret_for_a_real_id_is_a_mismatch()
    {
        var created = await _api.CreateAsync(TestCaller.NewOrganization());
        ApiKeyFormat.TryParse(created.Key, out var keyId);
        var forged = ApiKeyFormat.Format(keyId.ToString(), ApiKeyFormat.Generate().Secret);

        var outcome = await _api.VerifyAsync(forged);

        Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
        Assert.Equal("mismatch", outcome.Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("synaxis_short_key")]
    [InlineData("sk-not-a-synaxis-key")]
    public async Task Unknown_or_malformed_keys_are_unknown(string? key)
    {
        var outcome = await _api.VerifyAsync(key ?? ApiKeyFormat.Generate().Key);

        Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
        Assert.Equal("unknown", outcome.Reason);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("""{"key":42}""")]
    public async Task A_malformed_body_answers_400(string body)
    {
        using var response = await _api.SendSignedAsync(KeysApiClient.SignInternal(), HttpMethod.Post, "/internal/keys/verify", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_its_cache_entry_deleted_and_its_eviction_published()
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateAsync(owner);
        ApiKeyFormat.TryParse(created.Key, out var keyIdSpan);
        var keyId = keyIdSpan.ToString();
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(created.Key)).Status);
        var redis = fixture.Redis.GetDatabase();
        await redis.StringSetAsync(ApiKeyRedisKeys.Verified(keyId), """{"sha256":"x","key":{}}""", TimeSpan.FromMinutes(10));
        var evictions = await fixture.Redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ApiKeyRedisKeys.EvictionChannel));

        try
        {
            using var delete = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/keys/{created.Id}");
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

            Assert.False(await redis.KeyExistsAsync(ApiKeyRedisKeys.Verified(keyId)));
            await WaitForEvictionAsync(evictions, keyId);
            var outcome = await _api.VerifyAsync(created.Key);
            Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
            Assert.Equal("revoked", outcome.Reason);
        }
        finally
        {
            await evictions.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task Revoking_a_cached_key_leaves_a_revoked_refusal_under_its_sha256_so_gateways_refuse_it_without_bcrypt()
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateAsync(owner);
        var rotatedAway = await _api.CreateAsync(owner);
        ApiKeyFormat.TryParse(created.Key, out var keyIdSpan);
        var keyId = keyIdSpan.ToString();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(created.Key)));
        var redis = fixture.Redis.GetDatabase();
        await redis.StringSetAsync(ApiKeyRedisKeys.Verified(keyId), $$$"""{"sha256":"{{{sha}}}","key":{"keyId":"{{{keyId}}}"}}""", TimeSpan.FromMinutes(10));

        using var delete = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/keys/{created.Id}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(await redis.KeyExistsAsync(ApiKeyRedisKeys.Verified(keyId)));
        var marker = ApiKeyRedisKeys.Negative(keyId, sha);
        Assert.Equal("revoked", (string?)await redis.StringGetAsync(marker));
        var ttl = await redis.KeyTimeToLiveAsync(marker);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        // A verified entry that is not a gateway's (no sha256 of 64 hex digits) leaves no marker, and nothing breaks.
        ApiKeyFormat.TryParse(rotatedAway.Key, out var otherIdSpan);
        var otherId = otherIdSpan.ToString();
        await redis.StringSetAsync(ApiKeyRedisKeys.Verified(otherId), """{"sha256":"not-a-hash","key":{}}""", TimeSpan.FromMinutes(10));
        using var deleteOther = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/keys/{rotatedAway.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleteOther.StatusCode);
        Assert.False(await redis.KeyExistsAsync(ApiKeyRedisKeys.Verified(otherId)));
        Assert.False(await redis.KeyExistsAsync(ApiKeyRedisKeys.Negative(otherId, "not-a-hash")));
    }

    [Fact]
    public async Task An_expired_key_is_refused()
    {
        var created = await _api.CreateAsync(TestCaller.NewOrganization(), expiresAt: DateTimeOffset.UtcNow.AddHours(1));
        await fixture.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == created.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var outcome = await _api.VerifyAsync(created.Key);

        Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
        Assert.Equal("expired", outcome.Reason);
    }

    [Fact]
    public async Task After_rotation_the_old_key_works_during_the_grace_period_and_the_new_one_at_once()
    {
        var owner = TestCaller.NewOrganization();
        var old = await _api.CreateAsync(owner);

        var rotated = await _api.RotateAsync(owner, old.Id, gracePeriodSeconds: 3600);

        var oldOutcome = await _api.VerifyAsync(old.Key);
        var newOutcome = await _api.VerifyAsync(rotated.Key);
        Assert.Equal(HttpStatusCode.OK, oldOutcome.Status);
        Assert.Equal(rotated.PreviousKeyExpiresAt, oldOutcome.Key!.ExpiresAt);
        Assert.Equal(HttpStatusCode.OK, newOutcome.Status);
        Assert.Equal(rotated.Id, newOutcome.Key!.ApiKeyId);
        Assert.Null(newOutcome.Key.ExpiresAt);
    }

    [Fact]
    public async Task After_a_short_grace_period_the_old_key_expires_and_the_new_one_keeps_working()
    {
        var owner = TestCaller.NewOrganization();
        var old = await _api.CreateAsync(owner);
        ApiKeyFormat.TryParse(old.Key, out var oldKeyId);
        var cacheKey = ApiKeyRedisKeys.Verified(oldKeyId.ToString());
        await fixture.Redis.GetDatabase().StringSetAsync(cacheKey, "{}", TimeSpan.FromMinutes(10));

        var rotated = await _api.RotateAsync(owner, old.Id, gracePeriodSeconds: 1);

        // The rotation evicts the old key's cached verification, so gateways learn its new expiry.
        Assert.False(await fixture.Redis.GetDatabase().KeyExistsAsync(cacheKey));
        var expired = await Eventually.ResultAsync(() => _api.VerifyAsync(old.Key), o => o.Status != HttpStatusCode.OK, "the old key to expire");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("expired", expired.Reason);
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(rotated.Key)).Status);
    }

    [Fact]
    public async Task With_no_grace_period_the_old_key_stops_at_once()
    {
        var owner = TestCaller.NewOrganization();
        var old = await _api.CreateAsync(owner);

        var rotated = await _api.RotateAsync(owner, old.Id, gracePeriodSeconds: 0);

        Assert.Equal("expired", (await _api.VerifyAsync(old.Key)).Reason);
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(rotated.Key)).Status);
    }

    [Fact]
    public async Task Verification_needs_an_internal_identity_with_the_internal_scope()
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateAsync(owner);
        var body = new { key = created.Key };

        using var anonymous = await _api.SendSignedAsync(null, HttpMethod.Post, "/internal/keys/verify", body);
        using var user = await _api.SendAsync(owner, HttpMethod.Post, "/internal/keys/verify", body);
        using var otherScope = await _api.SendSignedAsync(KeysApiClient.SignInternal(["admin", "inference"]), HttpMethod.Post, "/internal/keys/verify", body);
        using var garbage = await _api.SendSignedAsync("garbage.header", HttpMethod.Post, "/internal/keys/verify", body);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherScope.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Equal("application/problem+json", user.Content.Headers.ContentType?.MediaType);
    }

    private static async Task WaitForEvictionAsync(ChannelMessageQueue evictions, string keyId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = await evictions.ReadAsync(timeout.Token);
            if (message.Message == keyId)
            {
                return;
            }
        }
    }
}
