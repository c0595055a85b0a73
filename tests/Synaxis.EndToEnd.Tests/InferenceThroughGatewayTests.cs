using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Synaxis.EndToEnd.Tests;

/// <summary>
/// The whole path with the official OpenAI client: a new user's key gets a completion from the first-run catalog
/// (the bundled mock as mock-free), and the answer's real usage reconciles the gateway's token reservation.
/// </summary>
[Collection(SynaxisAppCollection.Name)]
public sealed class InferenceThroughGatewayTests(SynaxisAppFixture fixture)
{
    [Fact]
    public async Task A_new_key_gets_a_completion_and_the_real_usage_replaces_the_reserved_estimate()
    {
        using var client = fixture.CreateGatewayClient();
        var accessToken = await fixture.GetAccessTokenAsync();
        var (key, keyId) = await CreateKeyAsync(client, accessToken);
        using (var put = Authorized(HttpMethod.Put, $"/api/ratelimits/policies/key/{keyId}", accessToken, new { tokensPerDay = 1_000_000 }))
        using (var saved = await client.SendAsync(put))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        var chat = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(client.BaseAddress!, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        }).GetChatClient("mock-chat");
        var result = await chat.CompleteChatAsync([new UserChatMessage("Say hello to Synaxis")], new ChatCompletionOptions { MaxOutputTokenCount = 2000 });

        Assert.Equal("mock-chat", result.Value.Model);
        var headers = result.GetRawResponse().Headers;
        Assert.True(headers.TryGetValue("x-synaxis-provider", out var provider));
        Assert.Equal("mock-free", provider);
        var actual = result.Value.Usage.TotalTokenCount;
        Assert.True(actual < 2000, "the test needs an answer smaller than its reservation");

        // The gateway reserved at least max_tokens (2000); Routing's UsageRecorded brings the day's count to the truth.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long used;
        do
        {
            await Task.Delay(200);
            using var get = Authorized(HttpMethod.Get, $"/api/ratelimits/usage/key/{keyId}", accessToken);
            using var response = await client.SendAsync(get);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var usage = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            used = usage.RootElement.GetProperty("tokensToday").GetProperty("used").GetInt64();
        }
        while (used != actual && DateTime.UtcNow < deadline);
        Assert.Equal(actual, used);
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string accessToken, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    private static async Task<(string Key, string Id)> CreateKeyAsync(HttpClient client, string accessToken)
    {
        using var create = Authorized(HttpMethod.Post, "/api/keys/", accessToken, new { name = "inference", scopes = new[] { "inference" } });
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("key").GetString()!, body.RootElement.GetProperty("id").GetString()!);
    }
}
