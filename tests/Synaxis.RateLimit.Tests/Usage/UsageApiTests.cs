using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using Synaxis.RateLimit.Admission;
using Synaxis.ServiceKit.Admission;
using Synaxis.RateLimit.Tests.Policies;
using Synaxis.ServiceKit.Security;

namespace Synaxis.RateLimit.Tests.Usage;

[Collection(PolicyServiceCollection.Name)]
public sealed class UsageApiTests(PolicyServiceFixture fixture) : IAsyncLifetime
{
    private readonly PolicyApiClient _api = new(fixture.Service.CreateRealClient());
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private async Task<JsonElement> GetUsage(TestCaller caller, string scope, Guid id)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Get, $"/api/ratelimits/usage/{scope}/{id}");
        await PolicyApiClient.EnsureAsync(response, HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<HttpStatusCode> Status(TestCaller caller, string scope, Guid id)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Get, $"/api/ratelimits/usage/{scope}/{id}");
        return response.StatusCode;
    }

    [Fact]
    public async Task Shows_what_admissions_used()
    {
        var owner = TestCaller.NewOrganization();
        var member = owner.Colleague(OrganizationRoles.Member);
        // Small per-minute limits: the allowance comes back slowly (12 s per request, 1.2 s per token), so the
        // Redis clock moving between the admissions and the read does not change the numbers.
        await _api.PutAsync(owner, "user", member.UserId, new { requestsPerMinute = 5, tokensPerMinute = 50, tokensPerDay = 1000L });
        var policy = new LimitPolicy(RequestsPerMinute: 5, TokensPerMinute: 50, TokensPerDay: 1000);
        var controller = new RedisAdmissionController(_redis);
        const int n = 3;
        for (var i = 0; i < n; i++)
        {
            var result = await controller.AdmitAsync(new AdmissionRequest(owner.OrganizationId.ToString(),
                [
                    new AdmissionLevel(LimitLevel.User, member.UserId.ToString(), policy),
                    new AdmissionLevel(LimitLevel.Organization, owner.OrganizationId.ToString(), LimitPolicy.None),
                ],
                10, 0, Guid.NewGuid().ToString("N")));
            Assert.True(result.Admitted);
        }

        foreach (var reader in new[] { member, owner })
        {
            var usage = await GetUsage(reader, "user", member.UserId);
            Assert.Equal("user", usage.GetProperty("scope").GetString());
            Assert.Equal(member.UserId, usage.GetProperty("scopeId").GetGuid());
            Assert.Equal(5, usage.GetProperty("policy").GetProperty("requestsPerMinute").GetInt32());
            Assert.Equal(5, usage.GetProperty("requests").GetProperty("limit").GetInt64());
            Assert.Equal(5 - n, usage.GetProperty("requests").GetProperty("remaining").GetInt64());
            Assert.InRange(usage.GetProperty("requests").GetProperty("resetSeconds").GetDouble(), 30, 36);
            Assert.Equal(50, usage.GetProperty("tokens").GetProperty("limit").GetInt64());
            Assert.Equal(50 - 10 * n, usage.GetProperty("tokens").GetProperty("remaining").GetInt64());
            var today = usage.GetProperty("tokensToday");
            Assert.Equal(1000, today.GetProperty("limit").GetInt64());
            Assert.Equal(10 * n, today.GetProperty("used").GetInt64());
            Assert.Equal(1000 - 10 * n, today.GetProperty("remaining").GetInt64());
            Assert.Equal(0, today.GetProperty("resetsAt").GetDateTimeOffset().TimeOfDay.Ticks);
            Assert.Equal(JsonValueKind.Null, usage.GetProperty("budget").ValueKind);
        }
    }

    [Fact]
    public async Task No_limit_answers_nulls()
    {
        var owner = TestCaller.NewOrganization();
        var usage = await GetUsage(owner, "organization", owner.OrganizationId);
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("policy").ValueKind);
        foreach (var part in new[] { "requests", "tokens", "tokensToday", "budget" })
        {
            Assert.Equal(JsonValueKind.Null, usage.GetProperty(part).ValueKind);
        }

        await _api.PutAsync(owner, "group", owner.OrganizationId, new { monthlyBudgetUsd = 3m });
        var group = await GetUsage(owner, "group", owner.OrganizationId);
        Assert.Equal(JsonValueKind.Null, group.GetProperty("requests").ValueKind);
        Assert.Equal(3m, group.GetProperty("budget").GetProperty("limitUsd").GetDecimal());
        Assert.Equal(0m, group.GetProperty("budget").GetProperty("spentUsd").GetDecimal());
        Assert.Equal(3m, group.GetProperty("budget").GetProperty("remainingUsd").GetDecimal());
    }

    [Fact]
    public async Task Who_may_read_what()
    {
        var owner = TestCaller.NewOrganization();
        var member = owner.Colleague(OrganizationRoles.Member);
        var otherMember = owner.Colleague(OrganizationRoles.Member);
        var admin = owner.Colleague(OrganizationRoles.Admin);
        var stranger = TestCaller.NewOrganization();

        Assert.Equal(HttpStatusCode.OK, await Status(member, "user", member.UserId));
        Assert.Equal(HttpStatusCode.NotFound, await Status(member, "user", otherMember.UserId));
        Assert.Equal(HttpStatusCode.NotFound, await Status(member, "group", Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.OK, await Status(admin, "user", otherMember.UserId));
        Assert.Equal(HttpStatusCode.OK, await Status(admin, "key", Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.NotFound, await Status(owner, "organization", stranger.OrganizationId));
        Assert.Equal(HttpStatusCode.NotFound, await Status(admin, "organization", stranger.OrganizationId));
        Assert.Equal(HttpStatusCode.BadRequest, await Status(owner, "team", Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.BadRequest, await Status(owner, "user", Guid.Empty));
    }
}
