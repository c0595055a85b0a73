using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Synaxis.ServiceKit.Http;
using Synaxis.ServiceKit.Security;
using static Synaxis.ServiceKit.Tests.Security.InternalIdentityTestKeys;

namespace Synaxis.ServiceKit.Tests.Security;

/// <summary>A service built with AddServiceApi/UseServiceApi, on real Kestrel, called with and without identities.</summary>
public sealed class InternalIdentityAuthenticationTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private readonly InternalIdentitySigner _signer = new(Options(), TimeProvider.System);

    public async Task InitializeAsync()
    {
        _app = BuildService(Key);
        _app.MapGet("/admin-only", (ClaimsPrincipal user) => Describe(user))
            .RequireAuthorization(SynaxisPolicies.OrganizationAdmin);
        _app.MapGet("/members", (ClaimsPrincipal user) => Describe(user))
            .RequireAuthorization(SynaxisPolicies.Member);
        _app.MapGet("/open", (ClaimsPrincipal user) => new { authenticated = user.Identity?.IsAuthenticated == true });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    private static WebApplication BuildService(string key)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["InternalIdentity:SigningKey"] = key;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddServiceApi();
        var app = builder.Build();
        app.UseServiceApi();
        return app;
    }

    private static object Describe(ClaimsPrincipal user) => new
    {
        name = user.Identity?.Name,
        userId = user.GetUserId(),
        organizationId = user.GetOrganizationId(),
        role = user.GetOrganizationRole(),
        isAdminRole = user.IsInRole(OrganizationRoles.Admin),
        groups = user.GetGroupIds(),
        keyId = user.GetKeyId(),
        scopes = user.GetScopes(),
        requestId = user.GetRequestId(),
    };

    private static CallerIdentity Caller(string role) => new()
    {
        OrganizationId = Guid.NewGuid(),
        UserId = Guid.NewGuid(),
        Role = role,
        GroupIds = [Guid.NewGuid()],
    };

    private Task<HttpResponseMessage> GetAsync(string path, params string[] identities) => GetAsync(path, identities, requestId: null);

    private async Task<HttpResponseMessage> GetAsync(string path, string[] identities, string? requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var identity in identities)
        {
            request.Headers.TryAddWithoutValidation(InternalIdentity.HeaderName, identity);
        }
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation(RequestIdHeader.Name, requestId);
        }
        return await _http.SendAsync(request);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    [Fact]
    public async Task No_identity_answers_401_problem_details()
    {
        using var response = await GetAsync("/admin-only");
        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Contains("authenticated caller", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_identity_signed_with_another_key_answers_401()
    {
        var forger = new InternalIdentitySigner(Options(OtherKey), TimeProvider.System);
        using var response = await GetAsync("/admin-only", forger.Sign(Caller(OrganizationRoles.Owner)));

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Contains("signature", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Garbage_or_an_expired_identity_answers_401()
    {
        using (var garbage = await GetAsync("/members", "not-an-identity"))
        {
            var problem = await AssertProblemAsync(garbage, HttpStatusCode.Unauthorized, "Unauthorized");
            Assert.Contains("malformed", problem.GetProperty("detail").GetString());
        }

        var past = new InternalIdentitySigner(Options(), new TestClock(DateTimeOffset.UtcNow.AddMinutes(-5)));
        using var expired = await GetAsync("/members", past.Sign(Caller(OrganizationRoles.Owner)));
        var expiredProblem = await AssertProblemAsync(expired, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Contains("expired", expiredProblem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Two_identities_in_one_request_answer_401()
    {
        var header = _signer.Sign(Caller(OrganizationRoles.Owner));
        using var response = await GetAsync("/members", header, header);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task A_member_is_forbidden_from_admin_endpoints_with_403_problem_details()
    {
        using var response = await GetAsync("/admin-only", _signer.Sign(Caller(OrganizationRoles.Member)));
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task A_member_passes_the_member_policy()
    {
        var caller = Caller(OrganizationRoles.Member);
        using var response = await GetAsync("/members", _signer.Sign(caller));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(caller.OrganizationId, body.GetProperty("organizationId").GetGuid());
    }

    [Theory]
    [InlineData(OrganizationRoles.Admin)]
    [InlineData(OrganizationRoles.Owner)]
    public async Task An_admin_or_owner_reaches_admin_endpoints_and_sees_every_claim(string role)
    {
        var caller = Caller(role) with { KeyId = Guid.NewGuid(), Scopes = ["admin"] };
        var requestId = "rid-" + Guid.NewGuid().ToString("N");
        using var response = await GetAsync("/admin-only", [_signer.Sign(caller)], requestId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(caller.UserId.ToString(), body.GetProperty("name").GetString());
        Assert.Equal(caller.UserId, body.GetProperty("userId").GetGuid());
        Assert.Equal(caller.OrganizationId, body.GetProperty("organizationId").GetGuid());
        Assert.Equal(role, body.GetProperty("role").GetString());
        Assert.Equal(role == OrganizationRoles.Admin, body.GetProperty("isAdminRole").GetBoolean());
        Assert.Equal(caller.GroupIds, body.GetProperty("groups").EnumerateArray().Select(g => g.GetGuid()));
        Assert.Equal(caller.KeyId, body.GetProperty("keyId").GetGuid());
        Assert.Equal(["admin"], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(requestId, body.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task One_signed_identity_serves_many_requests_each_with_its_own_request_id()
    {
        var caller = Caller(OrganizationRoles.Member);
        var header = _signer.Sign(caller);

        var seen = new List<string?>();
        foreach (var requestId in new[] { "first-request", "second-request", "third.request_3" })
        {
            using var response = await GetAsync("/members", [header], requestId);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(caller.OrganizationId, body.GetProperty("organizationId").GetGuid());
            Assert.Equal(caller.GroupIds, body.GetProperty("groups").EnumerateArray().Select(g => g.GetGuid()));
            seen.Add(body.GetProperty("requestId").GetString());
        }
        Assert.Equal(["first-request", "second-request", "third.request_3"], seen);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("has spaces in it")]
    [InlineData("semi;colon")]
    [InlineData("a-request-id-far-longer-than-the-sixty-four-characters-any-hop-accepts")]
    public async Task Without_a_plain_request_id_the_service_uses_its_own_trace_identifier(string? requestId)
    {
        using var response = await GetAsync("/members", [_signer.Sign(Caller(OrganizationRoles.Member))], requestId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString();
        Assert.False(string.IsNullOrEmpty(seen));
        Assert.NotEqual(requestId, seen);
    }

    [Fact]
    public async Task Endpoints_without_a_policy_health_and_openapi_stay_anonymous()
    {
        using var open = await GetAsync("/open");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.False((await open.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("authenticated").GetBoolean());

        foreach (var path in new[] { "/health", "/alive", "/openapi/v1.json", "/scalar" })
        {
            using var response = await GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task An_unknown_path_still_answers_404_problem_details()
    {
        using var response = await GetAsync("/no/such/thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("0123456789")]
    [InlineData("")]
    public async Task A_service_with_a_short_or_missing_key_does_not_start(string key)
    {
        await using var app = BuildService(key);
        var exception = await Assert.ThrowsAsync<SecurityConfigurationException>(() => app.StartAsync());
        Assert.Contains("InternalIdentity:SigningKey", exception.Message);
    }
}
