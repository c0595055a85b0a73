using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Synaxis.Keys.Contracts;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Tests;

/// <summary>A user of an organization as the gateway would forward them.</summary>
public sealed record TestCaller(Guid OrganizationId, Guid UserId, string Role, IReadOnlyList<Guid>? GroupIds = null)
{
    public static TestCaller NewOrganization(string role = OrganizationRoles.Owner) => new(Guid.NewGuid(), Guid.NewGuid(), role);

    /// <summary>Another user of the same organization.</summary>
    public TestCaller Colleague(string role) => new(OrganizationId, Guid.NewGuid(), role);
}

/// <summary>
/// Speaks to the Keys service as the gateway does: with the X-Synaxis-Identity header signed for a caller,
/// or (for verification) for the gateway itself with the <c>internal</c> scope.
/// </summary>
public sealed class KeysApiClient(HttpClient http)
{
    public static readonly InternalIdentitySigner Signer = new(
        Options.Create(new InternalIdentityOptions { SigningKey = KeysServiceFixture.InternalSigningKey }),
        TimeProvider.System);

    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> SendAsync(TestCaller? caller, HttpMethod method, string path, object? body = null) =>
        SendSignedAsync(caller is null ? null : Sign(caller), method, path, body);

    public Task<HttpResponseMessage> SendSignedAsync(string? identity, HttpMethod method, string path, object? body = null)
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
        if (identity is not null)
        {
            request.Headers.Add(InternalIdentity.HeaderName, identity);
        }
        return Http.SendAsync(request);
    }

    public static string Sign(TestCaller caller) => Signer.Sign(new CallerIdentity
    {
        OrganizationId = caller.OrganizationId,
        UserId = caller.UserId,
        Role = caller.Role,
        GroupIds = caller.GroupIds ?? [],
    });

    /// <summary>The gateway's own identity for the verify endpoint.</summary>
    public static string SignInternal(IReadOnlyList<string>? scopes = null) => Signer.Sign(new CallerIdentity
    {
        // The validator refuses an empty organization; the gateway claims all bits set, as no real organization is.
        OrganizationId = Guid.AllBitsSet,
        Scopes = scopes ?? [SynaxisPolicies.InternalScope],
    });

    public async Task<CreatedKeyResponse> CreateAsync(
        TestCaller caller, string name = "test key", string[]? scopes = null, DateTimeOffset? expiresAt = null,
        Guid? groupId = null, string[]? allowedModels = null)
    {
        using var response = await SendAsync(caller, HttpMethod.Post, "/api/keys/", new
        {
            name,
            groupId,
            scopes = scopes ?? [ApiKeyScopes.Inference],
            expiresAt,
            allowedModels,
        });
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<CreatedKeyResponse>())!;
    }

    public async Task<RotatedKeyResponse> RotateAsync(TestCaller caller, Guid id, int gracePeriodSeconds)
    {
        using var response = await SendAsync(caller, HttpMethod.Post, $"/api/keys/{id}/rotate", new { gracePeriodSeconds });
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<RotatedKeyResponse>())!;
    }

    public async Task<VerifyOutcome> VerifyAsync(string key)
    {
        using var response = await SendSignedAsync(SignInternal(), HttpMethod.Post, "/internal/keys/verify", new { key });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return new VerifyOutcome(response.StatusCode, JsonSerializer.Deserialize(body, ApiKeyJsonContext.Default.VerifiedApiKey), null, body);
        }
        string? reason = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            using var problem = JsonDocument.Parse(body);
            reason = problem.RootElement.TryGetProperty(ApiKeyVerificationFailures.ReasonExtension, out var r) ? r.GetString() : null;
        }
        return new VerifyOutcome(response.StatusCode, null, reason, body);
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

public sealed record VerifyOutcome(HttpStatusCode Status, VerifiedApiKey? Key, string? Reason, string Body);
