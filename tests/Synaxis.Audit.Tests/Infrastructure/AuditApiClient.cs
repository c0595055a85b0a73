using System.Net;
using System.Net.Http.Json;
using Synaxis.Audit.Contracts;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Audit.Tests.Infrastructure;

/// <summary>A user of an organization as the gateway would forward them.</summary>
public sealed record TestCaller(Guid OrganizationId, Guid UserId, string Role, Guid? KeyId = null, IReadOnlyList<string>? Scopes = null)
{
    public static TestCaller NewOrganization(string role = OrganizationRoles.Owner) => new(Guid.NewGuid(), Guid.NewGuid(), role);

    /// <summary>Another user of the same organization.</summary>
    public TestCaller Colleague(string role) => new(OrganizationId, Guid.NewGuid(), role);
}

/// <summary>Speaks to the Audit service as the gateway does: with the X-Synaxis-Identity header signed for a caller.</summary>
public sealed class AuditApiClient(HttpClient http, InternalIdentitySigner signer)
{
    public async Task<HttpResponseMessage> GetAsync(TestCaller? caller, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (caller is not null)
        {
            request.Headers.Add(InternalIdentity.HeaderName, signer.Sign(new CallerIdentity
            {
                OrganizationId = caller.OrganizationId,
                UserId = caller.UserId,
                Role = caller.Role,
                KeyId = caller.KeyId,
                Scopes = caller.Scopes ?? [],
                GroupIds = [],
            }));
        }
        return await http.SendAsync(request);
    }

    public Task<AuditLogPage> LogsAsync(TestCaller caller, string query = "") => GetJsonAsync<AuditLogPage>(caller, "/api/audit/logs" + query);

    public Task<UsageReport> UsageAsync(TestCaller caller, string query = "") => GetJsonAsync<UsageReport>(caller, "/api/audit/usage" + query);

    public Task<VerifyResponse> VerifyAsync(TestCaller caller, string query = "") => GetJsonAsync<VerifyResponse>(caller, "/api/audit/verify" + query);

    /// <summary>Every page of <c>/logs</c>, following nextCursor.</summary>
    public async Task<List<AuditLogResponse>> AllLogsAsync(TestCaller caller, string query = "?limit=200")
    {
        var items = new List<AuditLogResponse>();
        var page = await LogsAsync(caller, query);
        items.AddRange(page.Items);
        while (page.NextCursor is { } cursor)
        {
            page = await LogsAsync(caller, $"{query}&cursor={cursor}");
            items.AddRange(page.Items);
        }
        return items;
    }

    public async Task<T> GetJsonAsync<T>(TestCaller caller, string pathAndQuery)
    {
        using var response = await GetAsync(caller, pathAndQuery);
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    public static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new Xunit.Sdk.XunitException(
                $"Expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
