using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Synaxis.Identity.Contracts;

namespace Synaxis.Identity.Tests;

[Collection(IdentityServiceCollection.Name)]
public sealed class AuthTests(IdentityServiceFixture fixture)
{
    private readonly IdentityApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Register_makes_the_caller_owner_of_a_new_organization_with_a_default_group()
    {
        var tokens = await _api.RegisterAsync(organizationName: "Initech");

        var jwt = new JsonWebToken(tokens.AccessToken);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal(tokens.UserId.ToString(), jwt.GetClaim("sub").Value);
        Assert.Equal(tokens.OrganizationId.ToString(), jwt.GetClaim("org_id").Value);
        Assert.Equal("Owner", jwt.GetClaim("org_role").Value);
        Assert.Single(jwt.Claims, c => c.Type == "groups");
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.InRange(jwt.ValidTo - jwt.IssuedAt, TimeSpan.FromMinutes(14.9), TimeSpan.FromMinutes(15.1));

        using var me = await _api.SendAsync(tokens, HttpMethod.Get, "/api/identity/me");
        await IdentityApiClient.EnsureAsync(me, HttpStatusCode.OK);
        var body = await me.Content.ReadFromJsonAsync<MeResponse>();
        var membership = Assert.Single(body!.Memberships);
        Assert.Equal("Initech", membership.OrganizationName);
        Assert.Equal("Owner", membership.Role);
        Assert.Equal("default", Assert.Single(membership.Groups).Slug);
    }

    [Fact]
    public async Task A_second_registration_with_the_same_email_answers_409()
    {
        var email = IdentityApiClient.NewEmail();
        await _api.RegisterAsync(email);

        using var again = await _api.Http.PostAsJsonAsync("/api/identity/auth/register", new
        {
            email = email.ToUpperInvariant(),
            password = IdentityApiClient.StrongPassword,
            displayName = "Twin",
            organizationName = "Twin Org",
        });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Login_succeeds_with_the_password_and_refuses_anything_else_alike()
    {
        var email = IdentityApiClient.NewEmail();
        var registered = await _api.RegisterAsync(email);

        var tokens = await _api.LoginAsync(email);
        Assert.Equal(registered.OrganizationId, tokens.OrganizationId);

        using var wrongPassword = await _api.Http.PostAsJsonAsync("/api/identity/auth/login", new { email, password = "not the password at all" });
        using var unknownEmail = await _api.Http.PostAsJsonAsync("/api/identity/auth/login", new { email = IdentityApiClient.NewEmail(), password = "whatever password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownEmail.StatusCode);
        // The same words for both, so an attacker cannot tell which emails have accounts.
        Assert.Equal(await Detail(wrongPassword), await Detail(unknownEmail));
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_against_the_right_password()
    {
        var email = IdentityApiClient.NewEmail();
        await _api.RegisterAsync(email);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await _api.Http.PostAsJsonAsync("/api/identity/auth/login", new { email, password = $"wrong password {attempt}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var locked = await _api.Http.PostAsJsonAsync("/api/identity/auth/login", new { email, password = IdentityApiClient.StrongPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
    }

    [Fact]
    public async Task Refresh_rotates_and_reuse_of_a_spent_token_revokes_the_whole_family()
    {
        var first = await _api.RegisterAsync();

        var second = await RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.NotEqual(first.RefreshToken, second.Tokens!.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.Tokens.AccessToken);

        var replay = await RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);

        // The replay revoked the family: the legitimate newest token is dead too.
        var afterReplay = await RefreshAsync(second.Tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.Status);
    }

    [Fact]
    public async Task Concurrent_use_of_one_refresh_token_lets_at_most_one_win()
    {
        var tokens = await _api.RegisterAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RefreshAsync(tokens.RefreshToken)));

        Assert.True(attempts.Count(a => a.Status == HttpStatusCode.OK) <= 1);
        Assert.All(attempts, a => Assert.Contains(a.Status, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token()
    {
        var tokens = await _api.RegisterAsync();

        using var logout = await _api.Http.PostAsJsonAsync("/api/identity/auth/logout", new { refreshToken = tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(tokens.RefreshToken)).Status);
    }

    [Fact]
    public async Task An_unknown_refresh_token_answers_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync("synaxis_rt_made-up")).Status);
    }

    [Theory]
    [InlineData("{\"email\": \"a@b.test\", \"password\": ")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    public async Task Malformed_json_answers_400_problem_details(string body)
    {
        using var response = await _api.Http.PostAsync("/api/identity/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{}", "Email")]
    [InlineData("{\"email\":\"not-an-email\",\"password\":\"correct horse battery staple\",\"displayName\":\"A\",\"organizationName\":\"B\"}", "Email")]
    [InlineData("{\"email\":\"a@b.test\",\"password\":\"short\",\"displayName\":\"A\",\"organizationName\":\"B\"}", "password")]
    [InlineData("{\"email\":\"a@b.test\",\"password\":\"correct horse battery staple\",\"displayName\":\"\",\"organizationName\":\"B\"}", "DisplayName")]
    public async Task Invalid_fields_answer_400_naming_the_field(string body, string field)
    {
        using var response = await _api.Http.PostAsync("/api/identity/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains(errors, name => name.Equals(field, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_overlong_organization_name_answers_400()
    {
        using var response = await _api.Http.PostAsJsonAsync("/api/identity/auth/register", new
        {
            email = IdentityApiClient.NewEmail(),
            password = IdentityApiClient.StrongPassword,
            displayName = "A",
            organizationName = new string('x', 201),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<(HttpStatusCode Status, TokenResponse? Tokens)> RefreshAsync(string refreshToken)
    {
        using var response = await _api.Http.PostAsJsonAsync("/api/identity/auth/refresh", new { refreshToken });
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenResponse>() : null);
    }

    private static async Task<string?> Detail(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString();
    }
}
