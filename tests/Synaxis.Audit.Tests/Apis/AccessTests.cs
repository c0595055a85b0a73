using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Synaxis.Audit.Tests.Infrastructure;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Audit.Tests.Apis;

/// <summary>Who may read what: Owners and Admins, their own organization only; everything else a 4xx ProblemDetails.</summary>
[Collection(AuditCollection.Name)]
public sealed class AccessTests(AuditFixture fixture)
{
    private static readonly string[] Paths = ["/api/audit/logs", "/api/audit/usage", "/api/audit/verify"];

    private AuditService Service => fixture.Service;

    [Fact]
    public async Task A_member_is_forbidden_and_owners_and_admins_are_admitted()
    {
        var owner = TestCaller.NewOrganization();
        foreach (var path in Paths)
        {
            await ExpectProblemAsync(owner.Colleague(OrganizationRoles.Member), path, HttpStatusCode.Forbidden, "Owner or Admin");
            using var admin = await Service.Api.GetAsync(owner.Colleague(OrganizationRoles.Admin), path);
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
            using var ownerResponse = await Service.Api.GetAsync(owner, path);
            Assert.Equal(HttpStatusCode.OK, ownerResponse.StatusCode);
        }
    }

    [Fact]
    public async Task Without_the_gateways_identity_the_answer_is_401_and_an_api_key_needs_the_admin_scope()
    {
        var owner = TestCaller.NewOrganization();
        var inferenceKey = owner with { KeyId = Guid.NewGuid(), Scopes = [ApiKeyScopes.Inference] };
        var adminKey = owner with { KeyId = Guid.NewGuid(), Scopes = [ApiKeyScopes.Admin] };
        foreach (var path in Paths)
        {
            using var anonymous = await Service.Api.GetAsync(null, path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            await ExpectProblemAsync(inferenceKey, path, HttpStatusCode.Forbidden, "admin");
            using var admitted = await Service.Api.GetAsync(adminKey, path);
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }
    }

    [Theory]
    [InlineData("/api/audit/logs?from=yesterday", "from")]
    [InlineData("/api/audit/logs?to=2026-13-01", "to")]
    [InlineData("/api/audit/logs?from=2026-02-01&to=2026-01-01", "from")]
    [InlineData("/api/audit/logs?from=2024-01-01&to=2025-06-01", "from")]
    [InlineData("/api/audit/logs?limit=0", "limit")]
    [InlineData("/api/audit/logs?limit=201", "limit")]
    [InlineData("/api/audit/logs?limit=ten", "limit")]
    [InlineData("/api/audit/logs?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/audit/logs?cursor=AQAAAAAAAAAA", "cursor")]
    [InlineData("/api/audit/logs?actorId=42", "actorId")]
    [InlineData("/api/audit/usage?groupBy=week", "groupBy")]
    [InlineData("/api/audit/usage?from=2026-01-01T25:00:00Z", "from")]
    [InlineData("/api/audit/usage?from=2025-01-01&to=2026-01-03", "from")]
    [InlineData("/api/audit/verify?from=2026-02-01&to=2026-01-01", "from")]
    [InlineData("/api/audit/verify?to=%00", "to")]
    public async Task Every_bad_query_is_a_400_naming_the_parameter(string pathAndQuery, string field)
    {
        using var response = await Service.Api.GetAsync(TestCaller.NewOrganization(), pathAndQuery);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>();
        Assert.NotNull(problem);
        Assert.True(problem.Errors.ContainsKey(field), $"errors: {string.Join(", ", problem.Errors.Keys)}");
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
    }

    [Fact]
    public async Task Another_organization_sees_none_of_the_logs_and_verifies_only_its_own_chain()
    {
        var owner = TestCaller.NewOrganization();
        var stranger = TestCaller.NewOrganization();
        var events = Enumerable.Range(0, 3)
            .Select(_ => TestEvents.Admin("KeyCreated", owner.OrganizationId, new { key = new { id = Guid.NewGuid() } }))
            .ToArray();
        await Service.PublishAndWaitAsync(events);

        Assert.Empty((await Service.Api.LogsAsync(stranger)).Items);
        Assert.Empty((await Service.Api.LogsAsync(stranger, $"?actorId={events[0].ActorId}")).Items);
        var verified = await Service.Api.VerifyAsync(stranger);
        Assert.True(verified.Intact);
        Assert.Equal(0, verified.Checked);
        Assert.Equal(3, (await Service.Api.VerifyAsync(owner)).Checked);
    }

    [Fact]
    public async Task The_apis_are_published_in_the_openapi_document()
    {
        using var response = await Service.Api.GetAsync(null, "/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadAsStringAsync();
        foreach (var path in Paths)
        {
            Assert.Contains($"\"{path}\"", document);
        }
        Assert.Contains("\"groupBy\"", document);
        Assert.Contains("\"nextCursor\"", document);
        Assert.Contains("\"firstBrokenEntry\"", document);
    }

    private async Task ExpectProblemAsync(TestCaller caller, string path, HttpStatusCode status, string mention)
    {
        using var response = await Service.Api.GetAsync(caller, path);
        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains(mention, problem!.Detail);
    }
}
