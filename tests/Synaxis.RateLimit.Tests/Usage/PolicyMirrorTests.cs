using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;
using Synaxis.RateLimit.Services;
using Synaxis.RateLimit.Tests.Policies;
using Synaxis.ServiceKit.Security;

namespace Synaxis.RateLimit.Tests.Usage;

[Collection(PolicyServiceCollection.Name)]
public sealed class PolicyMirrorTests(PolicyServiceFixture fixture) : IAsyncLifetime
{
    private readonly PolicyApiClient _api = new(fixture.Service.CreateRealClient());
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private async Task<Dictionary<string, string>> Mirror(Guid org, LimitLevel level, Guid id)
    {
        var entries = await _redis.GetDatabase().HashGetAllAsync(AdmissionKeys.Policy(org.ToString(), level, id.ToString()));
        return entries.Where(e => e.Name != PolicyMirrorFields.Version).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
    }

    [Fact]
    public async Task Put_mirrors_the_policy_and_delete_removes_it()
    {
        var owner = TestCaller.NewOrganization();
        var userId = Guid.NewGuid();
        await _api.PutAsync(owner, "user", userId,
            new { requestsPerMinute = 60, tokensPerMinute = 90_000, tokensPerDay = 5_000_000L, monthlyBudgetUsd = 12.5m });
        Assert.Equal(new Dictionary<string, string>
        {
            ["rpm"] = "60", ["tpm"] = "90000", ["tpd"] = "5000000", ["budget_micro_usd"] = "12500000",
        }, await Mirror(owner.OrganizationId, LimitLevel.User, userId));

        // Replacing drops the limits the body leaves out.
        await _api.PutAsync(owner, "user", userId, new { tokensPerDay = 7L });
        Assert.Equal(new Dictionary<string, string> { ["tpd"] = "7" }, await Mirror(owner.OrganizationId, LimitLevel.User, userId));

        using var delete = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/ratelimits/policies/user/{userId}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(AdmissionKeys.Policy(owner.OrganizationId.ToString(), LimitLevel.User, userId.ToString())));
    }

    [Fact]
    public async Task Deleting_a_group_removes_its_mirrored_policy()
    {
        var owner = TestCaller.NewOrganization();
        var groupId = Guid.NewGuid();
        await _api.PutAsync(owner, "group", groupId, new { requestsPerMinute = 5 });
        Assert.Equal("5", (await Mirror(owner.OrganizationId, LimitLevel.Group, groupId))["rpm"]);
        await fixture.PublishIdentityEventAsync("GroupDeleted", owner.OrganizationId, new { before = new { id = groupId } });
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(AdmissionKeys.Policy(owner.OrganizationId.ToString(), LimitLevel.Group, groupId.ToString())));
    }

    [Fact]
    public async Task The_sweep_restores_a_flushed_mirror()
    {
        var owner = TestCaller.NewOrganization();
        var keyId = Guid.NewGuid();
        var goneId = Guid.NewGuid();
        await _api.PutAsync(owner, "key", keyId, new { requestsPerMinute = 3, monthlyBudgetUsd = 0.25m });
        await _api.PutAsync(owner, "organization", owner.OrganizationId, new { });
        await _api.PutAsync(owner, "user", goneId, new { requestsPerMinute = 1 });
        using (await _api.SendAsync(owner, HttpMethod.Delete, $"/api/ratelimits/policies/user/{goneId}"))
        {
        }
        var db = _redis.GetDatabase();
        var keyKey = AdmissionKeys.Policy(owner.OrganizationId.ToString(), LimitLevel.Key, keyId.ToString());
        var orgKey = AdmissionKeys.Policy(owner.OrganizationId.ToString(), LimitLevel.Organization, owner.OrganizationId.ToString());
        var goneKey = AdmissionKeys.Policy(owner.OrganizationId.ToString(), LimitLevel.User, goneId.ToString());
        // Lost (a flush) and drifted (a stale mirror of a deleted policy).
        await db.KeyDeleteAsync([keyKey, orgKey]);
        await db.HashSetAsync(goneKey, [new HashEntry("rpm", 1), new HashEntry("v", 0)]);

        await fixture.Service.Services.GetRequiredService<PolicyMirrorSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["rpm"] = "3", ["budget_micro_usd"] = "250000" },
            await Mirror(owner.OrganizationId, LimitLevel.Key, keyId));
        Assert.True(await db.KeyExistsAsync(orgKey)); // a policy with no limits still has its mirror
        Assert.Empty(await Mirror(owner.OrganizationId, LimitLevel.Organization, owner.OrganizationId));
        Assert.False(await db.KeyExistsAsync(goneKey));
    }

    [Fact]
    public async Task The_reader_returns_exactly_the_policies_of_the_levels_asked()
    {
        var owner = TestCaller.NewOrganization();
        var (keyId, userId, groupId, otherUser) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await _api.PutAsync(owner, "key", keyId, new { requestsPerMinute = 10 });
        await _api.PutAsync(owner, "user", userId, new { tokensPerMinute = 20 });
        await _api.PutAsync(owner, "user", otherUser, new { tokensPerMinute = 99 });
        await _api.PutAsync(owner, "organization", owner.OrganizationId, new { tokensPerDay = 30L, monthlyBudgetUsd = 4.5m });
        // The same level ids in another organization must not leak in.
        var other = TestCaller.NewOrganization();
        await _api.PutAsync(other, "group", groupId, new { requestsPerMinute = 1 });

        var reader = fixture.Service.Services.GetRequiredService<RedisPolicyReader>();
        var org = owner.OrganizationId.ToString();
        var policies = await reader.ReadAsync(org,
        [
            (LimitLevel.Key, keyId.ToString()),
            (LimitLevel.User, userId.ToString()),
            (LimitLevel.Group, groupId.ToString()),
            (LimitLevel.Organization, org),
        ]);
        Assert.Equal(
            [
                new LimitPolicy(RequestsPerMinute: 10),
                new LimitPolicy(TokensPerMinute: 20),
                LimitPolicy.None,
                new LimitPolicy(TokensPerDay: 30, MonthlyBudgetUsd: 4.5m),
            ],
            policies);
    }
}
