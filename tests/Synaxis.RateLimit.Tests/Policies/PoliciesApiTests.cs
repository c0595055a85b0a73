using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;

namespace Synaxis.RateLimit.Tests.Policies;

[Collection(PolicyServiceCollection.Name)]
public sealed class PoliciesApiTests(PolicyServiceFixture fixture)
{
    private readonly PolicyApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Put_get_and_delete_round_trip()
    {
        var owner = TestCaller.NewOrganization();
        var userId = Guid.NewGuid();

        var created = await _api.PutAsync(owner, "user", userId,
            new { requestsPerMinute = 60, tokensPerMinute = 90_000, tokensPerDay = 5_000_000L, monthlyBudgetUsd = 12.345678901m });
        Assert.Equal("user", created.Scope);
        Assert.Equal(userId, created.ScopeId);
        Assert.Equal(60, created.RequestsPerMinute);
        Assert.Equal(90_000, created.TokensPerMinute);
        Assert.Equal(5_000_000L, created.TokensPerDay);
        Assert.Equal(12.345678901m, created.MonthlyBudgetUsd);

        // Replacing sets every level to what the body says.
        var replaced = await _api.PutAsync(owner, "user", userId, new { requestsPerMinute = 10 });
        Assert.Equal(10, replaced.RequestsPerMinute);
        Assert.Null(replaced.TokensPerMinute);
        Assert.Null(replaced.MonthlyBudgetUsd);

        await _api.PutAsync(owner, "organization", owner.OrganizationId, new { monthlyBudgetUsd = 100m });
        var all = await _api.ListAsync(owner);
        Assert.Equal(2, all.Items.Count);
        var users = await _api.ListAsync(owner, "user");
        var only = Assert.Single(users.Items);
        Assert.Equal(10, only.RequestsPerMinute);
        Assert.Null(only.TokensPerDay);

        using var delete = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/ratelimits/policies/user/{userId}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var again = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/ratelimits/policies/user/{userId}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("organization", Assert.Single((await _api.ListAsync(owner)).Items).Scope);

        // A deleted policy can be set again.
        var back = await _api.PutAsync(owner, "user", userId, new { tokensPerMinute = 5 });
        Assert.Equal(5, back.TokensPerMinute);
    }

    [Fact]
    public async Task Null_means_no_limit_at_that_level()
    {
        var owner = TestCaller.NewOrganization();
        var groupId = Guid.NewGuid();
        var policy = await _api.PutAsync(owner, "group", groupId,
            new { requestsPerMinute = (int?)null, tokensPerMinute = (int?)null, tokensPerDay = (long?)null, monthlyBudgetUsd = (decimal?)null });
        Assert.Null(policy.RequestsPerMinute);
        Assert.Null(policy.TokensPerMinute);
        Assert.Null(policy.TokensPerDay);
        Assert.Null(policy.MonthlyBudgetUsd);

        using var empty = await _api.SendAsync(owner, HttpMethod.Put, $"/api/ratelimits/policies/key/{Guid.NewGuid()}", new { });
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        using var response = await _api.SendAsync(owner, HttpMethod.Get, "/api/ratelimits/policies?scope=group");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var item = Assert.Single(body.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("requestsPerMinute").ValueKind);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("monthlyBudgetUsd").ValueKind);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"requestsPerMinute": -1}""", "RequestsPerMinute" },
        { """{"requestsPerMinute": 0}""", "RequestsPerMinute" },
        { """{"tokensPerMinute": 0}""", "TokensPerMinute" },
        { """{"requestsPerMinute": 1000001}""", "RequestsPerMinute" },
        { """{"tokensPerMinute": -5}""", "TokensPerMinute" },
        { """{"tokensPerMinute": 100000001}""", "TokensPerMinute" },
        { """{"tokensPerDay": -1}""", "TokensPerDay" },
        { """{"tokensPerDay": 10000000001}""", "TokensPerDay" },
        { """{"monthlyBudgetUsd": -0.01}""", "MonthlyBudgetUsd" },
        { """{"monthlyBudgetUsd": 10000000.000000001}""", "MonthlyBudgetUsd" },
        { """{"monthlyBudgetUsd": 1.0000000001}""", "MonthlyBudgetUsd" },
        // Not representable in the field's type at all: rejected while reading the body.
        { """{"requestsPerMinute": 99999999999}""", "requestsPerMinute" },
        { """{"requestsPerMinute": 1.5}""", "requestsPerMinute" },
        { """{"tokensPerDay": "lots"}""", "tokensPerDay" },
        { """{"monthlyBudgetUsd": 1e40}""", "monthlyBudgetUsd" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Each_invalid_value_is_a_400_naming_the_field(string body, string field)
    {
        var owner = TestCaller.NewOrganization();
        using var response = await _api.SendAsync(owner, HttpMethod.Put, $"/api/ratelimits/policies/user/{Guid.NewGuid()}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains(field, text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await _api.ListAsync(owner)).Items);
    }

    [Theory]
    [InlineData("team", "scope")]
    [InlineData("", null)]
    public async Task An_unknown_scope_is_a_400(string scope, string? field)
    {
        var owner = TestCaller.NewOrganization();
        using var put = await _api.SendAsync(owner, HttpMethod.Put, $"/api/ratelimits/policies/{scope}/{Guid.NewGuid()}", new { requestsPerMinute = 1 });
        using var list = await _api.SendAsync(owner, HttpMethod.Get, $"/api/ratelimits/policies?scope={(scope == "" ? "x" : scope)}");
        using var delete = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/ratelimits/policies/{scope}/{Guid.NewGuid()}");
        if (field is not null)
        {
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.Contains(field, await put.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        }
        else
        {
            // An empty segment matches no route at all.
            Assert.True((int)put.StatusCode is 404 or 405, put.StatusCode.ToString());
        }
        Assert.Equal(HttpStatusCode.BadRequest, list.StatusCode);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task A_malformed_id_is_a_400_naming_it(string id)
    {
        var owner = TestCaller.NewOrganization();
        using var put = await _api.SendAsync(owner, HttpMethod.Put, $"/api/ratelimits/policies/user/{id}", new { requestsPerMinute = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("\"id\"", await put.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Malformed_json_is_a_400()
    {
        var owner = TestCaller.NewOrganization();
        using var response = await _api.SendAsync(owner, HttpMethod.Put, $"/api/ratelimits/policies/user/{Guid.NewGuid()}", "{\"requestsPerMinute\": ");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_member_may_read_but_not_set_or_delete()
    {
        var owner = TestCaller.NewOrganization();
        var member = owner.Colleague(OrganizationRoles.Member);
        var admin = owner.Colleague(OrganizationRoles.Admin);
        var userId = Guid.NewGuid();
        await _api.PutAsync(admin, "user", userId, new { requestsPerMinute = 5 });

        using var put = await _api.SendAsync(member, HttpMethod.Put, $"/api/ratelimits/policies/user/{userId}", new { requestsPerMinute = 500 });
        using var delete = await _api.SendAsync(member, HttpMethod.Delete, $"/api/ratelimits/policies/user/{userId}");
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(5, Assert.Single((await _api.ListAsync(member)).Items).RequestsPerMinute);

        using var anonymous = await _api.SendAsync(null, HttpMethod.Get, "/api/ratelimits/policies");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Another_organizations_id_is_a_404_and_its_policies_are_invisible()
    {
        var owner = TestCaller.NewOrganization();
        var stranger = TestCaller.NewOrganization();
        await _api.PutAsync(stranger, "organization", stranger.OrganizationId, new { requestsPerMinute = 5 });

        using var put = await _api.SendAsync(owner, HttpMethod.Put, $"/api/ratelimits/policies/organization/{stranger.OrganizationId}", new { requestsPerMinute = 1 });
        using var delete = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/ratelimits/policies/organization/{stranger.OrganizationId}");
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Empty((await _api.ListAsync(owner)).Items);
        Assert.Equal(5, Assert.Single((await _api.ListAsync(stranger)).Items).RequestsPerMinute);
    }

    [Fact]
    public async Task PolicyChanged_is_published_once_per_change_with_before_and_after()
    {
        var owner = TestCaller.NewOrganization();
        var keyId = Guid.NewGuid();
        await _api.PutAsync(owner, "key", keyId, new { requestsPerMinute = 10 });
        await _api.PutAsync(owner, "key", keyId, new { requestsPerMinute = 20, monthlyBudgetUsd = 1.5m });
        await _api.PutAsync(owner, "key", keyId, new { requestsPerMinute = 20, monthlyBudgetUsd = 1.5m }); // no change: no event
        (await _api.SendAsync(owner, HttpMethod.Delete, $"/api/ratelimits/policies/key/{keyId}")).Dispose();

        var rows = await Eventually.ResultAsync(
            () => fixture.WithDbAsync(db => db.Outbox.Where(m => m.OrganizationId == owner.OrganizationId).OrderBy(m => m.CreatedAt).ToListAsync()),
            r => r.Count == 3 && r.All(m => m.PublishedAt is not null),
            "three published events");
        var ids = rows.Select(r => SynaxisEvent.FromJson(r.Payload).Id).ToList();

        // In the stream exactly once each.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var entries = await redis.GetDatabase().StreamRangeAsync(fixture.EventStream);
        var ours = entries
            .Select(e => SynaxisEvent.FromJson(e.Values.First(v => v.Name == EventStreamFields.Payload).Value.ToString()))
            .Where(e => e.OrganizationId == owner.OrganizationId)
            .ToList();
        Assert.Equal(ids, ours.Select(e => e.Id));
        Assert.All(ours, e => Assert.Equal("PolicyChanged", e.Type));
        Assert.All(ours, e => Assert.Equal(owner.UserId, e.ActorId));

        var created = ours[0].Data;
        Assert.Equal("key", created.GetProperty("scope").GetString());
        Assert.Equal(keyId, created.GetProperty("scopeId").GetGuid());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("before").ValueKind);
        Assert.Equal(10, created.GetProperty("after").GetProperty("requestsPerMinute").GetInt32());

        var replaced = ours[1].Data;
        Assert.Equal(10, replaced.GetProperty("before").GetProperty("requestsPerMinute").GetInt32());
        Assert.Equal(JsonValueKind.Null, replaced.GetProperty("before").GetProperty("monthlyBudgetUsd").ValueKind);
        Assert.Equal(20, replaced.GetProperty("after").GetProperty("requestsPerMinute").GetInt32());
        Assert.Equal(1.5m, replaced.GetProperty("after").GetProperty("monthlyBudgetUsd").GetDecimal());

        var deleted = ours[2].Data;
        Assert.Equal(20, deleted.GetProperty("before").GetProperty("requestsPerMinute").GetInt32());
        Assert.Equal(JsonValueKind.Null, deleted.GetProperty("after").ValueKind);
    }

    [Fact]
    public async Task OrganizationDeleted_removes_all_the_organizations_policies_and_its_members_rights()
    {
        var owner = TestCaller.NewOrganization();
        var bystander = TestCaller.NewOrganization();
        await _api.PutAsync(owner, "organization", owner.OrganizationId, new { requestsPerMinute = 100 });
        await _api.PutAsync(owner, "user", owner.UserId, new { requestsPerMinute = 10 });
        await _api.PutAsync(owner, "group", Guid.NewGuid(), new { requestsPerMinute = 50 });
        await _api.PutAsync(bystander, "organization", bystander.OrganizationId, new { requestsPerMinute = 7 });

        await fixture.PublishIdentityEventAsync("OrganizationDeleted", owner.OrganizationId,
            new { before = new { id = owner.OrganizationId, name = "Acme" }, after = (object?)null });

        Assert.Equal(0, await fixture.WithDbAsync(db => db.Policies.CountAsync(p => p.OrganizationId == owner.OrganizationId)));
        Assert.Equal(3, await fixture.WithDbAsync(db =>
            db.Policies.IgnoreQueryFilters().CountAsync(p => p.OrganizationId == owner.OrganizationId && p.DeletedAt != null)));
        Assert.Single((await _api.ListAsync(bystander)).Items);
        await Eventually.TrueAsync(
            () => fixture.WithDbAsync(async db => await db.Outbox.CountAsync(m => m.OrganizationId == owner.OrganizationId && m.Type == "PolicyChanged") == 6),
            "a PolicyChanged event per removed policy");
        // The deleted organization's owner, with a still valid token, can no longer set anything there.
        using var put = await _api.SendAsync(owner, HttpMethod.Put, $"/api/ratelimits/policies/organization/{owner.OrganizationId}", new { requestsPerMinute = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [Fact]
    public async Task GroupDeleted_removes_that_groups_policy_only()
    {
        var owner = TestCaller.NewOrganization();
        var doomed = Guid.NewGuid();
        var kept = Guid.NewGuid();
        await _api.PutAsync(owner, "group", doomed, new { requestsPerMinute = 1 });
        await _api.PutAsync(owner, "group", kept, new { requestsPerMinute = 2 });
        await _api.PutAsync(owner, "user", doomed, new { requestsPerMinute = 3 }); // same id, other scope: untouched

        await fixture.PublishIdentityEventAsync("GroupDeleted", owner.OrganizationId,
            new { before = new { id = doomed, name = "Research", slug = "research" }, after = (object?)null });

        var left = (await _api.ListAsync(owner)).Items;
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(left, p => p.Scope == "group" && p.ScopeId == doomed);
        Assert.Contains(left, p => p.Scope == "group" && p.ScopeId == kept);
        Assert.Contains(left, p => p.Scope == "user" && p.ScopeId == doomed);
    }

    [Fact]
    public async Task A_demoted_or_removed_admin_acts_with_what_identity_last_said()
    {
        var owner = TestCaller.NewOrganization();
        var demoted = owner.Colleague(OrganizationRoles.Admin);
        var removed = owner.Colleague(OrganizationRoles.Admin);

        await fixture.PublishIdentityEventAsync("MemberRoleChanged", owner.OrganizationId,
            new { before = new { userId = demoted.UserId, role = "Admin" }, after = new { userId = demoted.UserId, role = "Member" } });
        await fixture.PublishIdentityEventAsync("MemberRemoved", owner.OrganizationId,
            new { before = new { userId = removed.UserId, role = "Admin" }, after = (object?)null });

        // Their signed identities still say Admin (tokens minted before the change).
        using var byDemoted = await _api.SendAsync(demoted, HttpMethod.Put, $"/api/ratelimits/policies/user/{Guid.NewGuid()}", new { requestsPerMinute = 1 });
        using var byRemoved = await _api.SendAsync(removed, HttpMethod.Get, "/api/ratelimits/policies");
        Assert.Equal(HttpStatusCode.Forbidden, byDemoted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byRemoved.StatusCode);
        Assert.Empty((await _api.ListAsync(owner)).Items);
    }
}
