using System.Net;
using System.Net.Http.Json;
using Synaxis.Identity.Contracts;

namespace Synaxis.Identity.Tests;

[Collection(IdentityServiceCollection.Name)]
public sealed class GroupsAndMembersTests(IdentityServiceFixture fixture)
{
    private readonly IdentityApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task A_slug_is_unique_per_organization_until_its_group_is_deleted()
    {
        var owner = await _api.RegisterAsync();
        var other = await _api.RegisterAsync();

        var first = await CreateGroupAsync(owner, "ml");
        using var clash = await _api.SendAsync(owner, HttpMethod.Post, "/api/identity/groups", new { name = "ML again", slug = "ml" });
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);

        // Another organization may use the same slug.
        await CreateGroupAsync(other, "ml");

        using var deleted = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/identity/groups/{first.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _api.SendAsync(owner, HttpMethod.Get, $"/api/identity/groups/{first.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await CreateGroupAsync(owner, "ml");
    }

    [Fact]
    public async Task Renaming_a_group_onto_a_taken_slug_answers_409()
    {
        var owner = await _api.RegisterAsync();
        await CreateGroupAsync(owner, "alpha");
        var beta = await CreateGroupAsync(owner, "beta");

        using var clash = await _api.SendAsync(owner, HttpMethod.Patch, $"/api/identity/groups/{beta.Id}", new { slug = "alpha" });

        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
    }

    [Theory]
    [InlineData("Has Spaces")]
    [InlineData("UPPER")]
    [InlineData("trailing-")]
    [InlineData("")]
    public async Task A_bad_slug_answers_400(string slug)
    {
        var owner = await _api.RegisterAsync();

        using var response = await _api.SendAsync(owner, HttpMethod.Post, "/api/identity/groups", new { name = "Group", slug });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Another_organizations_ids_answer_404_everywhere()
    {
        var owner = await _api.RegisterAsync();
        var (otherOwner, otherMember) = await OrganizationTests.OrganizationWithMemberAsync(_api);
        var foreignGroup = await CreateGroupAsync(otherOwner, "secret");
        var foreignUser = otherMember.UserId;

        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/identity/groups/{foreignGroup.Id}", null),
            (HttpMethod.Patch, $"/api/identity/groups/{foreignGroup.Id}", new { name = "mine now" }),
            (HttpMethod.Delete, $"/api/identity/groups/{foreignGroup.Id}", null),
            (HttpMethod.Put, $"/api/identity/groups/{foreignGroup.Id}/members/{owner.UserId}", null),
            (HttpMethod.Delete, $"/api/identity/groups/{foreignGroup.Id}/members/{foreignUser}", null),
            (HttpMethod.Patch, $"/api/identity/members/{foreignUser}", new { role = "Member" }),
            (HttpMethod.Delete, $"/api/identity/members/{foreignUser}", null),
        };
        foreach (var (method, path, body) in attempts)
        {
            using var response = await _api.SendAsync(owner, method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
        }

        // And nothing changed over there.
        using var check = await _api.SendAsync(otherOwner, HttpMethod.Get, $"/api/identity/groups/{foreignGroup.Id}");
        Assert.Equal("Secret", (await check.Content.ReadFromJsonAsync<GroupResponse>())!.Name);
    }

    [Fact]
    public async Task Own_ids_with_the_user_id_of_another_organization_answer_404_and_change_nothing()
    {
        var owner = await _api.RegisterAsync();
        var ownGroup = await CreateGroupAsync(owner, "own");
        // One stranger only ever in their own organization, one also in a third: neither is in ours.
        var (otherOwner, otherMember) = await OrganizationTests.OrganizationWithMemberAsync(_api);
        var otherGroup = await CreateGroupAsync(otherOwner, "theirs");
        using var joined = await _api.SendAsync(otherOwner, HttpMethod.Put, $"/api/identity/groups/{otherGroup.Id}/members/{otherMember.UserId}");
        await IdentityApiClient.EnsureAsync(joined, HttpStatusCode.NoContent);
        var before = await MembersAsync(otherOwner);

        foreach (var stranger in new[] { otherOwner.UserId, otherMember.UserId })
        {
            var attempts = new (HttpMethod Method, string Path, object? Body)[]
            {
                (HttpMethod.Put, $"/api/identity/groups/{ownGroup.Id}/members/{stranger}", null),
                (HttpMethod.Delete, $"/api/identity/groups/{ownGroup.Id}/members/{stranger}", null),
                (HttpMethod.Patch, $"/api/identity/members/{stranger}", new { role = "Admin" }),
                (HttpMethod.Delete, $"/api/identity/members/{stranger}", null),
            };
            foreach (var (method, path, body) in attempts)
            {
                using var response = await _api.SendAsync(owner, method, path, body);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound,
                    $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        // Our group gained no one and our organization no member...
        Assert.Equal(0, (await GetGroupAsync(owner, ownGroup.Id)).MemberCount);
        Assert.Equal([owner.UserId], (await MembersAsync(owner)).Select(m => m.UserId));
        // ...and over there every role and group membership is as it was, and both strangers still get in.
        Assert.Equal(
            before.Select(m => (m.UserId, m.Role, string.Join(",", m.GroupIds.Order()))),
            (await MembersAsync(otherOwner)).Select(m => (m.UserId, m.Role, string.Join(",", m.GroupIds.Order()))));
        Assert.Equal(1, (await GetGroupAsync(otherOwner, otherGroup.Id)).MemberCount);
        using var stillThere = await _api.SendAsync(otherMember, HttpMethod.Get, "/api/identity/organizations/current");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        await _api.LoginAsync((await EmailOfAsync(otherOwner, otherOwner.UserId))!, otherOwner.OrganizationId);
    }

    [Fact]
    public async Task Members_get_403_on_management()
    {
        var (owner, member) = await OrganizationTests.OrganizationWithMemberAsync(_api);
        var group = await CreateGroupAsync(owner, "team");

        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, "/api/identity/groups", new { name = "Mine", slug = "mine" }),
            (HttpMethod.Patch, $"/api/identity/groups/{group.Id}", new { name = "Renamed" }),
            (HttpMethod.Delete, $"/api/identity/groups/{group.Id}", null),
            (HttpMethod.Put, $"/api/identity/groups/{group.Id}/members/{member.UserId}", null),
            (HttpMethod.Post, "/api/identity/members", new { email = IdentityApiClient.NewEmail(), role = "Member" }),
            (HttpMethod.Patch, $"/api/identity/members/{owner.UserId}", new { role = "Member" }),
            (HttpMethod.Delete, $"/api/identity/members/{owner.UserId}", null),
        };
        foreach (var (method, path, body) in attempts)
        {
            using var response = await _api.SendAsync(member, method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task The_last_owner_can_be_neither_demoted_nor_removed()
    {
        var (owner, member) = await OrganizationTests.OrganizationWithMemberAsync(_api);

        using var demote = await _api.SendAsync(owner, HttpMethod.Patch, $"/api/identity/members/{owner.UserId}", new { role = "Admin" });
        using var leave = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/identity/members/{owner.UserId}");
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, leave.StatusCode);

        // With a second Owner, the first may step down.
        using var promote = await _api.SendAsync(owner, HttpMethod.Patch, $"/api/identity/members/{member.UserId}", new { role = "Owner" });
        await IdentityApiClient.EnsureAsync(promote, HttpStatusCode.OK);
        using var stepDown = await _api.SendAsync(owner, HttpMethod.Patch, $"/api/identity/members/{owner.UserId}", new { role = "Member" });
        await IdentityApiClient.EnsureAsync(stepDown, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Two_owners_demoting_each_other_at_once_leave_one_owner()
    {
        var (first, member) = await OrganizationTests.OrganizationWithMemberAsync(_api);
        using var promote = await _api.SendAsync(first, HttpMethod.Patch, $"/api/identity/members/{member.UserId}", new { role = "Owner" });
        await IdentityApiClient.EnsureAsync(promote, HttpStatusCode.OK);
        var second = await _api.LoginAsync((await EmailOfAsync(first, member.UserId))!, first.OrganizationId);

        var answers = await Task.WhenAll(
            _api.SendAsync(first, HttpMethod.Patch, $"/api/identity/members/{second.UserId}", new { role = "Member" }),
            _api.SendAsync(second, HttpMethod.Patch, $"/api/identity/members/{first.UserId}", new { role = "Member" }));

        using var list = await _api.SendAsync(first, HttpMethod.Get, "/api/identity/members");
        var members = await list.Content.ReadFromJsonAsync<List<MemberResponse>>();
        Assert.Single(members!, m => m.Role == "Owner");
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.Forbidden }));
    }

    [Fact]
    public async Task A_member_belongs_to_at_most_100_groups_so_their_identity_stays_small()
    {
        var owner = await _api.RegisterAsync(); // already in the default group
        for (var i = 1; i < 100; i++)
        {
            var group = await CreateGroupAsync(owner, $"bulk-{i}");
            using var join = await _api.SendAsync(owner, HttpMethod.Put, $"/api/identity/groups/{group.Id}/members/{owner.UserId}");
            Assert.Equal(HttpStatusCode.NoContent, join.StatusCode);
        }
        var oneTooMany = await CreateGroupAsync(owner, "bulk-100");

        using var refused = await _api.SendAsync(owner, HttpMethod.Put, $"/api/identity/groups/{oneTooMany.Id}/members/{owner.UserId}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(0, (await GetGroupAsync(owner, oneTooMany.Id)).MemberCount);
    }

    [Fact]
    public async Task Only_an_owner_makes_owners()
    {
        var (owner, member) = await OrganizationTests.OrganizationWithMemberAsync(_api);
        using var makeAdmin = await _api.SendAsync(owner, HttpMethod.Patch, $"/api/identity/members/{member.UserId}", new { role = "Admin" });
        await IdentityApiClient.EnsureAsync(makeAdmin, HttpStatusCode.OK);
        var admin = await _api.LoginAsync((await EmailOfAsync(owner, member.UserId))!, owner.OrganizationId);

        using var selfPromote = await _api.SendAsync(admin, HttpMethod.Patch, $"/api/identity/members/{admin.UserId}", new { role = "Owner" });
        using var demoteOwner = await _api.SendAsync(admin, HttpMethod.Patch, $"/api/identity/members/{owner.UserId}", new { role = "Member" });

        Assert.Equal(HttpStatusCode.Forbidden, selfPromote.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, demoteOwner.StatusCode);
    }

    [Fact]
    public async Task Removing_a_member_removes_their_group_memberships_and_access()
    {
        var (owner, member) = await OrganizationTests.OrganizationWithMemberAsync(_api);
        var group = await CreateGroupAsync(owner, "squad");
        using var join = await _api.SendAsync(owner, HttpMethod.Put, $"/api/identity/groups/{group.Id}/members/{member.UserId}");
        Assert.Equal(HttpStatusCode.NoContent, join.StatusCode);
        Assert.Equal(1, (await GetGroupAsync(owner, group.Id)).MemberCount);

        using var removed = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/identity/members/{member.UserId}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);

        Assert.Equal(0, (await GetGroupAsync(owner, group.Id)).MemberCount);
        // Their still-valid access token no longer opens anything in this organization.
        using var me = await _api.SendAsync(member, HttpMethod.Get, "/api/identity/organizations/current");
        Assert.Equal(HttpStatusCode.Forbidden, me.StatusCode);
    }

    [Fact]
    public async Task Adding_an_unknown_email_answers_404_and_an_existing_member_409()
    {
        var (owner, member) = await OrganizationTests.OrganizationWithMemberAsync(_api);
        var memberEmail = await EmailOfAsync(owner, member.UserId);

        using var unknown = await _api.SendAsync(owner, HttpMethod.Post, "/api/identity/members", new { email = IdentityApiClient.NewEmail(), role = "Member" });
        using var again = await _api.SendAsync(owner, HttpMethod.Post, "/api/identity/members", new { email = memberEmail, role = "Member" });
        using var badRole = await _api.SendAsync(owner, HttpMethod.Post, "/api/identity/members", new { email = memberEmail, role = "Emperor" });

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
    }

    private async Task<GroupResponse> CreateGroupAsync(TokenResponse caller, string slug)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Post, "/api/identity/groups",
            new { name = char.ToUpperInvariant(slug[0]) + slug[1..], slug });
        await IdentityApiClient.EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<GroupResponse>())!;
    }

    private async Task<GroupResponse> GetGroupAsync(TokenResponse caller, Guid id)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Get, $"/api/identity/groups/{id}");
        await IdentityApiClient.EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<GroupResponse>())!;
    }

    private async Task<List<MemberResponse>> MembersAsync(TokenResponse caller)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Get, "/api/identity/members");
        await IdentityApiClient.EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<List<MemberResponse>>())!;
    }

    private async Task<string?> EmailOfAsync(TokenResponse caller, Guid userId)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Get, "/api/identity/members");
        var members = await response.Content.ReadFromJsonAsync<List<MemberResponse>>();
        return members!.Single(m => m.UserId == userId).Email;
    }
}
