using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.Keys.Contracts;
using Synaxis.Keys.Model;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Tests;

/// <summary>
/// A key's group must be one of the caller's organization (Identity's GroupCreated/GroupDeleted, or the
/// caller's signed identity); a user holds at most 50 active keys per organization; the list is paginated.
/// </summary>
[Collection(KeysServiceCollection.Name)]
public sealed class GroupsAndLimitsTests(KeysServiceFixture fixture)
{
    private const int MaxActiveKeys = 50;

    private readonly KeysApiClient _api = new(fixture.Service.CreateRealClient());

    [Theory]
    [InlineData(OrganizationRoles.Owner)]
    [InlineData(OrganizationRoles.Admin)]
    public async Task A_manager_cannot_attach_a_key_to_another_organizations_group(string role)
    {
        var manager = TestCaller.NewOrganization(role);
        var othersGroup = await fixture.CreateGroupAsync(Guid.NewGuid());

        using var foreign = await CreateAsync(manager, othersGroup);
        using var unknown = await CreateAsync(manager, Guid.NewGuid());

        foreach (var response in new[] { foreign, unknown })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(text);
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("groupId", out _), text);
        }
        Assert.Equal(0, await fixture.WithDbAsync(db => db.ApiKeys.IgnoreQueryFilters().CountAsync(k => k.OrganizationId == manager.OrganizationId)));
        Assert.Equal(0, await fixture.WithDbAsync(db => db.Outbox.CountAsync(m => m.OrganizationId == manager.OrganizationId)));
    }

    [Fact]
    public async Task A_manager_can_attach_a_key_to_a_group_Identity_announced_for_the_organization()
    {
        var owner = TestCaller.NewOrganization();
        var groupId = await fixture.CreateGroupAsync(owner.OrganizationId);

        var created = await _api.CreateAsync(owner, groupId: groupId);

        Assert.Equal(groupId, created.GroupId);
        Assert.Equal(groupId, (await _api.VerifyAsync(created.Key)).Key!.GroupId);
    }

    [Fact]
    public async Task A_member_can_use_a_group_of_their_signed_identity_before_its_event_arrives()
    {
        var member = TestCaller.NewOrganization().Colleague(OrganizationRoles.Member) with { GroupIds = [Guid.NewGuid()] };

        var created = await _api.CreateAsync(member, groupId: member.GroupIds![0]);

        Assert.Equal(member.GroupIds[0], created.GroupId);
    }

    [Fact]
    public async Task A_signed_identity_cannot_vouch_for_a_group_known_to_be_deleted_or_another_organizations()
    {
        var owner = TestCaller.NewOrganization();
        var deleted = await fixture.CreateGroupAsync(owner.OrganizationId);
        var foreign = await fixture.CreateGroupAsync(Guid.NewGuid());
        var keyOfDeleted = await _api.CreateAsync(owner, groupId: deleted);
        await fixture.PublishIdentityEventAsync("GroupDeleted", owner.OrganizationId,
            new { before = new { id = deleted, name = "Research", slug = "research" }, after = (object?)null });
        var member = owner.Colleague(OrganizationRoles.Member) with { GroupIds = [deleted, foreign] };

        using var ownersAttempt = await CreateAsync(owner, deleted);
        using var ofDeleted = await CreateAsync(member, deleted);
        using var ofForeign = await CreateAsync(member, foreign);

        Assert.Equal(HttpStatusCode.BadRequest, ownersAttempt.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, ofDeleted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, ofForeign.StatusCode);
        // Deleting a group revokes nothing: its keys keep working, still naming it.
        var verified = await _api.VerifyAsync(keyOfDeleted.Key);
        Assert.Equal(HttpStatusCode.OK, verified.Status);
        Assert.Equal(deleted, verified.Key!.GroupId);
    }

    [Fact]
    public async Task A_GroupDeleted_arriving_before_its_GroupCreated_still_wins()
    {
        var owner = TestCaller.NewOrganization();
        var groupId = Guid.NewGuid();
        await fixture.PublishIdentityEventAsync("GroupDeleted", owner.OrganizationId, new { before = new { id = groupId, name = "g", slug = "g" } });
        await fixture.PublishIdentityEventAsync("GroupCreated", owner.OrganizationId, new { after = new { id = groupId, name = "g", slug = "g" } });

        using var response = await CreateAsync(owner, groupId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task OrganizationDeleted_deletes_its_groups()
    {
        var owner = TestCaller.NewOrganization();
        var groupId = await fixture.CreateGroupAsync(owner.OrganizationId);

        await fixture.PublishIdentityEventAsync("OrganizationDeleted", owner.OrganizationId, new { before = new { id = owner.OrganizationId } });

        Assert.NotNull(await fixture.WithDbAsync(db => db.Groups.IgnoreQueryFilters().Where(g => g.GroupId == groupId).Select(g => g.DeletedAt).SingleAsync()));
    }

    [Fact]
    public async Task The_51st_active_key_is_refused_but_revoked_and_expired_keys_do_not_count()
    {
        var member = TestCaller.NewOrganization().Colleague(OrganizationRoles.Member);
        await InsertKeysAsync(member, MaxActiveKeys - 1);
        await InsertKeysAsync(member, 3, revoked: true);
        await InsertKeysAsync(member, 3, expired: true);
        // Another user, and the same user in another organization, have limits of their own.
        await InsertKeysAsync(member.Colleague(OrganizationRoles.Member), MaxActiveKeys);
        await InsertKeysAsync(new TestCaller(Guid.NewGuid(), member.UserId, OrganizationRoles.Member), MaxActiveKeys);

        var fiftieth = await _api.CreateAsync(member, "fiftieth");
        using var refused = await CreateAsync(member);

        await KeysApiClient.EnsureAsync(refused, HttpStatusCode.Conflict);
        Assert.Contains("50 active keys", await refused.Content.ReadAsStringAsync());
        (await _api.SendAsync(member, HttpMethod.Delete, $"/api/keys/{fiftieth.Id}")).Dispose();
        await _api.CreateAsync(member, "after a revocation");
        Assert.Equal(MaxActiveKeys, await CountActiveAsync(member));
    }

    [Fact]
    public async Task Concurrent_creates_cannot_pass_the_limit_together()
    {
        var owner = TestCaller.NewOrganization();
        await InsertKeysAsync(owner, MaxActiveKeys - 1);

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => CreateAsync(owner)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(MaxActiveKeys, await CountActiveAsync(owner));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_list_pages_through_every_key_exactly_once_newest_first()
    {
        var owner = TestCaller.NewOrganization();
        await InsertKeysAsync(owner, 60);
        await InsertKeysAsync(owner.Colleague(OrganizationRoles.Member), 45);
        await InsertKeysAsync(owner, 5, revoked: true);
        // Many keys made in the same microsecond: the id breaks the tie.
        var tie = DateTimeOffset.UtcNow.AddMinutes(-1);
        await fixture.WithDbAsync(db => db.ApiKeys.Where(k => k.OrganizationId == owner.OrganizationId && k.Name.EndsWith("0"))
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.CreatedAt, tie)));
        var expected = await fixture.WithDbAsync(db => db.ApiKeys
            .Where(k => k.OrganizationId == owner.OrganizationId && k.RevokedAt == null)
            .Select(k => k.Id).ToListAsync());
        Assert.Equal(105, expected.Count);

        var first = await PageAsync(owner, "");
        Assert.Equal(100, first.Items.Count);
        Assert.NotNull(first.NextCursor);

        var seen = new List<KeyResponse>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await PageAsync(owner, cursor is null ? "limit=40" : $"limit=40&cursor={Uri.EscapeDataString(cursor)}");
            Assert.True(page.Items.Count <= 40);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(expected.Order(), seen.Select(k => k.Id).Order());
        Assert.Equal(seen.Count, seen.Select(k => k.Id).Distinct().Count());
        Assert.Equal(seen.Select(k => k.CreatedAt).OrderDescending(), seen.Select(k => k.CreatedAt));
        var withRevoked = await PageAsync(owner, "includeRevoked=true&limit=100");
        Assert.Equal(100, withRevoked.Items.Count);
        // A member pages through their own keys only.
        Assert.Empty((await PageAsync(owner.Colleague(OrganizationRoles.Member), "limit=1")).Items);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=-1")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("cursor=MTIzNDU2")]
    public async Task Invalid_list_parameters_answer_400(string query)
    {
        using var response = await _api.SendAsync(TestCaller.NewOrganization(), HttpMethod.Get, $"/api/keys/?{query}");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
    }

    private Task<HttpResponseMessage> CreateAsync(TestCaller caller, Guid? groupId = null) =>
        _api.SendAsync(caller, HttpMethod.Post, "/api/keys/", new { name = "k", scopes = new[] { ApiKeyScopes.Inference }, groupId });

    private async Task<KeyListResponse> PageAsync(TestCaller caller, string query)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Get, $"/api/keys/?{query}");
        await KeysApiClient.EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<KeyListResponse>())!;
    }

    private Task<int> CountActiveAsync(TestCaller caller) => fixture.WithDbAsync(db => db.ApiKeys.CountAsync(k =>
        k.OrganizationId == caller.OrganizationId && k.UserId == caller.UserId && k.RevokedAt == null
        && (k.ExpiresAt == null || k.ExpiresAt > DateTimeOffset.UtcNow)));

    /// <summary>Keys written straight to the table (no bcrypt): only counting and listing look at them.</summary>
    private Task InsertKeysAsync(TestCaller caller, int count, bool revoked = false, bool expired = false) =>
        fixture.WithDbAsync(async db =>
        {
            for (var i = 0; i < count; i++)
            {
                db.ApiKeys.Add(new ApiKey
                {
                    KeyId = ApiKeyFormat.Generate().Id,
                    SecretHash = "$2a$12$" + new string('x', 53),
                    OrganizationId = caller.OrganizationId,
                    UserId = caller.UserId,
                    Name = $"inserted {i}",
                    Scopes = [ApiKeyScopes.Inference],
                    RevokedAt = revoked ? DateTimeOffset.UtcNow : null,
                    ExpiresAt = expired ? DateTimeOffset.UtcNow.AddMinutes(-1) : null,
                });
            }
            return await db.SaveChangesAsync();
        });
}
