using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Synaxis.EndToEnd.Tests;

/// <summary>
/// An admin action through the gateway reaches the audit trail: Keys' outbox → synaxis:events → Audit's ingestion →
/// <c>/api/audit/logs</c>, with the caller as actor and the client's address and User-Agent.
/// </summary>
[Collection(SynaxisAppCollection.Name)]
public sealed class AuditThroughGatewayTests(SynaxisAppFixture fixture)
{
    private const string UserAgent = "synaxis-e2e-audit/1.0";

    [Fact]
    public async Task A_key_created_through_the_gateway_shows_up_in_the_audit_logs_with_its_actor_and_client()
    {
        using var client = fixture.CreateGatewayClient();
        var accessToken = await fixture.GetAccessTokenAsync();
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/keys/")
        {
            Content = JsonContent.Create(new { name = "audited", scopes = new[] { "admin" } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        create.Headers.UserAgent.ParseAdd(UserAgent);
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var keyId = key.RootElement.GetProperty("id").GetString();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement? entry = null;
        while (entry is null && DateTime.UtcNow < deadline)
        {
            using var logs = new HttpRequestMessage(HttpMethod.Get, "/api/audit/logs?action=KeyCreated");
            logs.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var answer = await client.SendAsync(logs);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            using var page = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            var items = page.RootElement.GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                entry = items[0].Clone();
            }
            else
            {
                await Task.Delay(200);
            }
        }

        Assert.NotNull(entry);
        var logged = entry.Value;
        Assert.Equal("Key", logged.GetProperty("resourceType").GetString());
        Assert.Equal(keyId, logged.GetProperty("resourceId").GetString());
        Assert.Equal("user", logged.GetProperty("actorType").GetString());
        Assert.Equal(UserAgent, logged.GetProperty("userAgent").GetString());
        Assert.False(string.IsNullOrEmpty(logged.GetProperty("clientAddress").GetString()));
        Assert.False(string.IsNullOrEmpty(logged.GetProperty("requestId").GetString()));

        using var verify = new HttpRequestMessage(HttpMethod.Get, "/api/audit/verify");
        verify.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var verified = await client.SendAsync(verify);
        using var result = JsonDocument.Parse(await verified.Content.ReadAsStringAsync());
        Assert.True(result.RootElement.GetProperty("intact").GetBoolean());
        Assert.True(result.RootElement.GetProperty("checked").GetInt64() >= 1);
    }
}
