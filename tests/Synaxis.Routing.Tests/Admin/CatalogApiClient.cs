using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Synaxis.Routing.Contracts;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Tests.Admin;

/// <summary>A user of an organization as the gateway would forward them.</summary>
public sealed record TestCaller(Guid OrganizationId, Guid UserId, string Role)
{
    public static TestCaller NewOrganization(string role = OrganizationRoles.Owner) => new(Guid.NewGuid(), Guid.NewGuid(), role);

    /// <summary>The platform administrator, acting in an organization of their own with the given role.</summary>
    public static TestCaller PlatformAdministrator(string role = OrganizationRoles.Member) =>
        new(Guid.NewGuid(), CatalogAdminFixture.PlatformAdministratorId, role);

    /// <summary>Another user of the same organization.</summary>
    public TestCaller Colleague(string role) => new(OrganizationId, Guid.NewGuid(), role);
}

/// <summary>Speaks to the Routing service as the gateway does: with the X-Synaxis-Identity header signed for a caller.</summary>
public sealed class CatalogApiClient(HttpClient http)
{
    public static readonly InternalIdentitySigner Signer = new(
        Options.Create(new InternalIdentityOptions { SigningKey = CatalogAdminFixture.InternalSigningKey }),
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

    public Task<ProviderResponse> CreateProviderAsync(TestCaller caller, object body) =>
        ExpectAsync<ProviderResponse>(caller, HttpMethod.Post, "/api/routing/providers", body, HttpStatusCode.Created);

    /// <summary>An OpenAI-compatible provider with the given name and options.</summary>
    public Task<ProviderResponse> CreateProviderAsync(TestCaller caller, string name = "groq", bool global = false, string? apiKey = null) =>
        CreateProviderAsync(caller, new { name, kind = "openai-compatible", baseUrl = "https://api.groq.com/openai/v1/", apiKey, isFree = true, enabled = true, global });

    public Task<ProviderResponse> UpdateProviderAsync(TestCaller caller, Guid id, object body) =>
        ExpectAsync<ProviderResponse>(caller, HttpMethod.Patch, $"/api/routing/providers/{id}", body, HttpStatusCode.OK);

    public Task<ProviderResponse> GetProviderAsync(TestCaller caller, Guid id) =>
        ExpectAsync<ProviderResponse>(caller, HttpMethod.Get, $"/api/routing/providers/{id}", null, HttpStatusCode.OK);

    public Task<ProviderListResponse> ListProvidersAsync(TestCaller caller) =>
        ExpectAsync<ProviderListResponse>(caller, HttpMethod.Get, "/api/routing/providers", null, HttpStatusCode.OK);

    public Task<DeploymentResponse> CreateDeploymentAsync(TestCaller caller, object body) =>
        ExpectAsync<DeploymentResponse>(caller, HttpMethod.Post, "/api/routing/deployments", body, HttpStatusCode.Created);

    public Task<DeploymentResponse> CreateDeploymentAsync(TestCaller caller, Guid providerId, string model = "llama-3.3-70b", bool global = false) =>
        CreateDeploymentAsync(caller, new
        {
            model, providerId, upstreamModel = "llama-3.3-70b-versatile", inputPricePer1M = 0.59m, outputPricePer1M = 0.79m, global,
        });

    public Task<DeploymentListResponse> ListDeploymentsAsync(TestCaller caller) =>
        ExpectAsync<DeploymentListResponse>(caller, HttpMethod.Get, "/api/routing/deployments", null, HttpStatusCode.OK);

    public async Task<HttpStatusCode> StatusAsync(TestCaller caller, HttpMethod method, string path, object? body = null)
    {
        using var response = await SendAsync(caller, method, path, body);
        return response.StatusCode;
    }

    /// <summary>Sends, asserts the status and that the answer is a ProblemDetails, and returns it.</summary>
    public async Task<JsonElement> ProblemAsync(TestCaller caller, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var response = await SendAsync(caller, method, path, body);
        await EnsureAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)expected, document.RootElement.GetProperty("status").GetInt32());
        return document.RootElement.Clone();
    }

    public async Task<T> ExpectAsync<T>(TestCaller caller, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var response = await SendAsync(caller, method, path, body);
        await EnsureAsync(response, expected);
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
