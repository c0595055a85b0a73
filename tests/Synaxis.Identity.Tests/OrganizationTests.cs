using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Synaxis.Identity.Contracts;

namespace Synaxis.Identity.Tests;

[Collection(IdentityServiceCollection.Name)]
public sealed class OrganizationTests(IdentityServiceFixture fixture)
{
    private readonly IdentityApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Settings_start_as_ultra_miser_with_90_day_retention_and_can_be_changed()
    {
        var owner = await _api.RegisterAsync();

        using var initial = await _api.SendAsync(owner, HttpMethod.Get, "/api/identity/organizations/current/settings");
        var defaults = await initial.Content.ReadFromJsonAsync<OrganizationSettingsResponse>();
        Assert.Equal(new { Days = 90, Strategy = "miser", Paid = false, Baseline = (string?)null },
            new { Days = defaults!.AuditRetentionDays, Strategy = defaults.RoutingStrategy, Paid = defaults.AllowPaidFallback, Baseline = defaults.BaselineModel });

        using var put = await _api.SendAsync(owner, HttpMethod.Put, "/api/identity/organizations/current/settings",
            new { auditRetentionDays = 30, routingStrategy = "cost", allowPaidFallback = true, baselineModel = "gpt-4o" });
        await IdentityApiClient.EnsureAsync(put, HttpStatusCode.OK);

        using var after = await _api.SendAsync(owner, HttpMethod.Get, "/api/identity/organizations/current/settings");
        var changed = await after.Content.ReadFromJsonAsync<OrganizationSettingsResponse>();
        Assert.Equal((30, "cost", true, "gpt-4o"), (changed!.AuditRetentionDays, changed.RoutingStrategy, changed.AllowPaidFallback, changed.BaselineModel));
    }

    [Theory]
    [InlineData(0, "miser")]
    [InlineData(3651, "miser")]
    [InlineData(90, "cheapest-please")]
    public async Task Invalid_settings_answer_400(int days, string strategy)
    {
        var owner = await _api.RegisterAsync();

        using var put = await _api.SendAsync(owner, HttpMethod.Put, "/api/identity/organizations/current/settings",
            new { auditRetentionDays = days, routingStrategy = strategy, allowPaidFallback = false });

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_new_organization_is_listed_and_a_login_can_act_in_it()
    {
        var email = IdentityApiClient.NewEmail();
        var owner = await _api.RegisterAsync(email, "First");

        using var created = await _api.SendAsync(owner, HttpMethod.Post, "/api/identity/organizations", new { name = "Second" });
        await IdentityApiClient.EnsureAsync(created, HttpStatusCode.Created);
        var second = await created.Content.ReadFromJsonAsync<OrganizationResponse>();

        using var list = await _api.SendAsync(owner, HttpMethod.Get, "/api/identity/organizations");
        var organizations = await list.Content.ReadFromJsonAsync<List<OrganizationResponse>>();
        Assert.Equal(["First", "Second"], organizations!.Select(o => o.Name));

        var inSecond = await _api.LoginAsync(email, second!.Id);
        Assert.Equal(second.Id, inSecond.OrganizationId);
        using var current = await _api.SendAsync(inSecond, HttpMethod.Get, "/api/identity/organizations/current");
        Assert.Equal("Second", (await current.Content.ReadFromJsonAsync<OrganizationResponse>())!.Name);
    }

    [Fact]
    public async Task Login_into_an_organization_one_is_not_a_member_of_answers_401()
    {
        var email = IdentityApiClient.NewEmail();
        await _api.RegisterAsync(email);
        var stranger = await _api.RegisterAsync();

        using var response = await _api.Http.PostAsJsonAsync("/api/identity/auth/login",
            new { email, password = IdentityApiClient.StrongPassword, organizationId = stranger.OrganizationId });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Deleting_the_organization_soft_deletes_it_and_everything_under_it()
    {
        var owner = await _api.RegisterAsync();
        using var group = await _api.SendAsync(owner, HttpMethod.Post, "/api/identity/groups", new { name = "Research", slug = "research" });
        await IdentityApiClient.EnsureAsync(group, HttpStatusCode.Created);

        using var deleted = await _api.SendAsync(owner, HttpMethod.Delete, "/api/identity/organizations/current");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        // Hidden from the API...
        using var current = await _api.SendAsync(owner, HttpMethod.Get, "/api/identity/organizations/current");
        Assert.Equal(HttpStatusCode.Forbidden, current.StatusCode);
        using var refresh = await _api.Http.PostAsJsonAsync("/api/identity/auth/refresh", new { refreshToken = owner.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);

        // ...but every row is still there, marked deleted by the owner.
        var id = owner.OrganizationId;
        Assert.Equal((1, 1), await CountAsync("Organizations", "\"Id\"", id));
        Assert.Equal((1, 1), await CountAsync("OrganizationSettings", "\"OrganizationId\"", id));
        Assert.Equal((2, 2), await CountAsync("Groups", "\"OrganizationId\"", id));
        Assert.Equal((1, 1), await CountAsync("UserOrganizationMemberships", "\"OrganizationId\"", id));
        Assert.Equal((1, 1), await CountAsync("UserGroupMemberships", "\"OrganizationId\"", id));
        await using var connection = new NpgsqlConnection(fixture.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var deletedBy = new NpgsqlCommand("SELECT \"DeletedBy\" FROM identity.\"Organizations\" WHERE \"Id\" = @id", connection);
        deletedBy.Parameters.AddWithValue("id", id);
        Assert.Equal(owner.UserId, (Guid)(await deletedBy.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Members_cannot_manage_the_organization()
    {
        var (_, member) = await OrganizationWithMemberAsync(_api);

        using var patch = await _api.SendAsync(member, HttpMethod.Patch, "/api/identity/organizations/current", new { name = "Hijacked" });
        using var put = await _api.SendAsync(member, HttpMethod.Put, "/api/identity/organizations/current/settings",
            new { auditRetentionDays = 1, routingStrategy = "cost", allowPaidFallback = true });
        using var delete = await _api.SendAsync(member, HttpMethod.Delete, "/api/identity/organizations/current");
        using var read = await _api.SendAsync(member, HttpMethod.Get, "/api/identity/organizations/current/settings");

        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    /// <summary>An organization with its owner and a second user added as Member (logged into it).</summary>
    internal static async Task<(Synaxis.Identity.Contracts.TokenResponse Owner, Synaxis.Identity.Contracts.TokenResponse Member)> OrganizationWithMemberAsync(IdentityApiClient api)
    {
        var owner = await api.RegisterAsync();
        var memberEmail = IdentityApiClient.NewEmail();
        await api.RegisterAsync(memberEmail, "Member's own");
        using var added = await api.SendAsync(owner, HttpMethod.Post, "/api/identity/members", new { email = memberEmail, role = "Member" });
        await IdentityApiClient.EnsureAsync(added, HttpStatusCode.Created);
        var member = await api.LoginAsync(memberEmail, owner.OrganizationId);
        return (owner, member);
    }

    /// <summary>(rows in the table, rows of them soft-deleted) for the organization.</summary>
    private async Task<(long All, long Deleted)> CountAsync(string table, string column, Guid organizationId)
    {
        await using var connection = new NpgsqlConnection(fixture.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), count(\"DeletedAt\") FROM identity.\"{table}\" WHERE {column} = @id", connection);
        command.Parameters.AddWithValue("id", organizationId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
