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
/// A policy set through the RateLimit API limits the OpenAI client at the gateway: the API writes it to PostgreSQL,
/// mirrors it to Redis, and the gateway's admission script reads it there on the next request.
/// </summary>
[Collection(SynaxisAppCollection.Name)]
public sealed class RateLimitThroughGatewayTests(SynaxisAppFixture fixture)
{
    [Fact]
    public async Task A_key_policy_set_through_the_api_answers_429_to_the_openai_client_and_allowed_models_are_enforced()
    {
        using var client = fixture.CreateGatewayClient();
        var accessToken = await fixture.GetAccessTokenAsync();
        var (key, keyId) = await CreateKeyAsync(client, accessToken);

        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/ratelimits/policies/key/{keyId}")
        {
            Content = JsonContent.Create(new { requestsPerMinute = 2 }),
        })
        {
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var saved = await client.SendAsync(put);
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        var chat = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(client.BaseAddress!, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // the test counts every request itself
        }).GetChatClient("mock-small");

        // Admitted requests reach Routing (whatever it answers); the third within the minute is the gateway's 429.
        for (var i = 0; i < 2; i++)
        {
            var admitted = await StatusAsync(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));
            Assert.NotEqual(429, admitted.Status);
            Assert.Equal("2", admitted.Headers.TryGetValue("x-ratelimit-limit-requests", out var limit) ? limit : null);
        }
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(429, refused.Status);
        Assert.Contains("rate_limit_exceeded", refused.GetRawResponse()!.Content.ToString());
        Assert.True(refused.GetRawResponse()!.Headers.TryGetValue("retry-after", out _));

        var other = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(client.BaseAddress!, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        }).GetChatClient("not-on-the-list");
        var forbidden = await Assert.ThrowsAsync<ClientResultException>(() => other.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(403, forbidden.Status);
        Assert.Contains("permission_denied", forbidden.GetRawResponse()!.Content.ToString());
    }

    /// <summary>The raw answer of a call, whether the client returned it or threw it.</summary>
    private static async Task<PipelineResponse> StatusAsync(Func<Task<ClientResult<ChatCompletion>>> call)
    {
        try
        {
            return (await call()).GetRawResponse();
        }
        catch (ClientResultException exception) when (exception.GetRawResponse() is { } response)
        {
            return response;
        }
    }

    private static async Task<(string Key, string Id)> CreateKeyAsync(HttpClient client, string accessToken)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/keys/")
        {
            Content = JsonContent.Create(new { name = "limited", scopes = new[] { "inference" }, allowedModels = new[] { "mock-small" } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("key").GetString()!, body.RootElement.GetProperty("id").GetString()!);
    }
}
