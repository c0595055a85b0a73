using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Synaxis.EndToEnd.Tests;

/// <summary>An API key made through the gateway opens the APIs its scopes allow, and stops within a second of revocation.</summary>
[Collection(SynaxisAppCollection.Name)]
public sealed class ApiKeysThroughGatewayTests(SynaxisAppFixture fixture)
{
    [Fact]
    public async Task A_key_works_with_either_header_and_is_refused_within_a_second_of_revocation()
    {
        using var client = fixture.CreateGatewayClient();
        var accessToken = await fixture.GetAccessTokenAsync();
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/keys/")
        {
            Content = JsonContent.Create(new { name = "e2e", scopes = new[] { "inference", "admin" } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var key = body.RootElement.GetProperty("key").GetString()!;
        var id = body.RootElement.GetProperty("id").GetString();
        Assert.StartsWith("synaxis_", key);

        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(client, key, useXApiKey: false));
        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(client, key, useXApiKey: true));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithKeyAsync(client, key[..^2] + "zz", useXApiKey: false));

        using var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/api/keys/{id}");
        revoke.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var revoked = await client.SendAsync(revoke);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(1);
        HttpStatusCode status;
        do
        {
            status = await StatusWithKeyAsync(client, key, useXApiKey: false);
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Deleting_the_organization_revokes_its_keys_in_the_keys_service_through_events()
    {
        using var client = fixture.CreateGatewayClient();
        var accessToken = await fixture.GetAccessTokenAsync();
        var key = await CreateKeyAsync(client, accessToken);
        // Authenticated, so Routing answers (404: no inference endpoint there yet) rather than the gateway (401).
        Assert.Equal(HttpStatusCode.NotFound, await StatusWithKeyAsync(client, key, useXApiKey: false, path: "/v1/models-does-not-exist-yet"));

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/identity/organizations/current");
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var deleted = await client.SendAsync(delete);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        // Identity → synaxis:events → Keys revokes → KeyRevoked → caches evicted → the gateway refuses the key.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            status = await StatusWithKeyAsync(client, key, useXApiKey: false, path: "/v1/models-does-not-exist-yet");
        }
        while (status != HttpStatusCode.Unauthorized && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    private static async Task<string> CreateKeyAsync(HttpClient client, string accessToken)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/keys/")
        {
            Content = JsonContent.Create(new { name = "e2e", scopes = new[] { "inference", "admin" } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("key").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusWithKeyAsync(HttpClient client, string key, bool useXApiKey, string path = "/api/identity/me")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (useXApiKey)
        {
            request.Headers.Add("x-api-key", key);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
