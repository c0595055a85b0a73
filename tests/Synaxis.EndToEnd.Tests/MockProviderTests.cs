using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Synaxis.EndToEnd.Tests;

/// <summary>The embedded default provider answers the official OpenAI client (routing comes later).</summary>
[Collection(SynaxisAppCollection.Name)]
public sealed class MockProviderTests(SynaxisAppFixture fixture)
{
    [Fact]
    public async Task The_mock_provider_serves_a_chat_completion_with_usage()
    {
        var endpoint = fixture.App.GetEndpoint("mock-provider", "http");
        var client = new ChatClient(
            "mock-chat",
            new ApiKeyCredential("unused-by-the-mock"),
            new OpenAIClientOptions { Endpoint = new Uri(endpoint, "/v1") });

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Say hello to Synaxis")]);

        Assert.Equal("mock-chat", completion.Model);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
    }
}
