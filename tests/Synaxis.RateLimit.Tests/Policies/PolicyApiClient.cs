using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Synaxis.RateLimit.Contracts;
using Synaxis.ServiceKit.Security;

namespace Synaxis.RateLimit.Tests.Policies;

/// <summary>A user of an organization as the gateway would forward them.</summary>
public sealed record TestCaller(Guid OrganizationId, Guid UserId, string Role)
{
    public static TestCaller NewOrganization(string role = OrganizationRoles.Owner) => new(Guid.NewGuid(), Guid.NewGuid(), role);

    /// <summary>Another user of the same organization.</summary>
    public TestCaller Colleague(string role) => new(OrganizationId, Guid.NewGuid(), role);
}

/// <summary>Speaks to the RateLimit service as the gateway does: with the X-Synaxis-Identity header signed for a caller.</summary>
public sealed class PolicyApiClient(HttpClient http)
{
    public static readonly InternalIdentitySigner Signer = new(
        Options.Create(new InternalIdentityOptions { SigningKey = PolicyServiceFixture.InternalSigningKey }),
        TimeProvider.System);

    public Task<HttpResponseMessage> SendAsync(TestCaller? caller, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (caller is not null)
        {
            request.Headers.Add(InternalIdentity.HeaderName, Signer.Sign(new CallerIdentity
            {
                OrganizationId = caller.OrganizationId,
                UserId = caller.UserId,
                Role = caller.Role,
                GroupIds = [],
            }));
        }
        return http.SendAsync(request);
    }

    public async Task<PolicyResponse> PutAsync(TestCaller caller, string scope, Guid id, object body)
    {
        using var response = await SendAsync(caller, HttpMethod.Put, $"/api/ratelimits/policies/{scope}/{id}", body);
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<PolicyResponse>())!;
    }

    public async Task<PolicyListResponse> ListAsync(TestCaller caller, string? scope = null)
    {
        using var response = await SendAsync(caller, HttpMethod.Get, "/api/ratelimits/policies" + (scope is null ? "" : $"?scope={scope}"));
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<PolicyListResponse>())!;
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
