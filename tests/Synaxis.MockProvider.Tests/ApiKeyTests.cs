using System.ClientModel;
using System.Net;
using OpenAI.Chat;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

public sealed class SecuredMockProviderFactory() : MockProviderFactory(new Dictionary<string, string?>
{
    ["MockProvider:ApiKey"] = ApiKeyTests.Key,
});

/// <summary>With <c>MockProvider:ApiKey</c> set, the mock refuses requests that do not carry it.</summary>
public sealed class ApiKeyTests(SecuredMockProviderFactory factory) : IClassFixture<SecuredMockProviderFactory>
{
    public const string Key = "sk-mock-secret";

    [Theory]
    [InlineData(null, null)]
    [InlineData("Authorization", "Bearer wrong-key")]
    [InlineData("Authorization", "Bearer sk-mock-secre")]
    [InlineData("Authorization", "Basic c2stbW9jay1zZWNyZXQ=")]
    [InlineData("api-key", "wrong-key")]
    public async Task Missing_or_wrong_key_is_a_401_invalid_api_key(string? header, string? value)
    {
        using var client = factory.CreateHttpClient();
        using var request = Requests.Post("/v1/chat/completions", Requests.ChatBody());
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", (await response.ReadErrorAsync("invalid_request_error")).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("Authorization", "Bearer " + Key)]
    [InlineData("api-key", Key)]
    public async Task The_configured_key_is_accepted_as_bearer_or_azure_api_key(string header, string value)
    {
        using var client = factory.CreateHttpClient();
        using var response = await client.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(), (header, value)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_key_is_checked_before_faults_are_injected()
    {
        using var client = factory.CreateHttpClient();
        using var response = await client.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(), ("x-mock-fault", "hang")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_openai_client_is_refused_with_a_wrong_key_and_served_with_the_right_one()
    {
        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            factory.CreateOpenAIClient("wrong").GetChatClient("mock-chat").CompleteChatAsync([new UserChatMessage("hi")]));
        ChatCompletion served = await factory.CreateOpenAIClient(Key).GetChatClient("mock-chat").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal(401, refused.Status);
        Assert.Equal(ChatFinishReason.Stop, served.FinishReason);
    }

    [Fact]
    public async Task Health_probes_need_no_key()
    {
        using var client = factory.CreateHttpClient();
        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
