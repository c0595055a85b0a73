using OpenAI.Chat;
using OpenAI.Embeddings;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

/// <summary>The official OpenAI .NET client, pointed at the mock, is the client the gateway must satisfy.</summary>
[Collection(MockProviderCollection.Name)]
public sealed class OpenAIClientTests(MockProviderFixture fixture)
{
    [Fact]
    public async Task Chat_completion_answers_the_requested_model_with_consistent_usage()
    {
        var client = fixture.Factory.CreateOpenAIClient().GetChatClient("any-model-name");

        ChatCompletion completion = await client.CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("What is the capital of France?")]);

        Assert.Equal("any-model-name", completion.Model);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        var text = Assert.Single(completion.Content).Text;
        Assert.StartsWith("Mock reply to: What is the capital of France?", text);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.InRange(completion.Usage.OutputTokenCount, 16, 32);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Chat_completion_honours_max_output_tokens()
    {
        var client = fixture.Factory.CreateOpenAIClient().GetChatClient("mock-chat");

        ChatCompletion completion = await client.CompleteChatAsync(
            [new UserChatMessage("Tell me a long story about a lighthouse keeper.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 5 });

        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 5);
    }

    [Fact]
    public async Task Streaming_chat_delivers_several_updates_then_usage()
    {
        var client = fixture.Factory.CreateOpenAIClient().GetChatClient("mock-chat");
        var options = new ChatCompletionOptions();
        var nonStreamed = (await client.CompleteChatAsync([new UserChatMessage("Stream this please")])).Value;

        var contentUpdates = 0;
        var streamedText = new System.Text.StringBuilder();
        ChatFinishReason? finishReason = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Stream this please")], options))
        {
            foreach (var part in update.ContentUpdate)
            {
                contentUpdates++;
                streamedText.Append(part.Text);
            }

            finishReason ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.True(contentUpdates >= 5, $"expected several content updates, got {contentUpdates}");
        Assert.Equal(nonStreamed.Content[0].Text, streamedText.ToString());
        Assert.Equal(ChatFinishReason.Stop, finishReason);
        Assert.NotNull(usage);
        Assert.Equal(nonStreamed.Usage.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(nonStreamed.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
    }

    [Fact]
    public async Task Embeddings_are_deterministic_unit_vectors_that_honour_dimensions()
    {
        var client = fixture.Factory.CreateOpenAIClient().GetEmbeddingClient("mock-embedding");

        var first = (await client.GenerateEmbeddingAsync("The quick brown fox")).Value.ToFloats().ToArray();
        var again = (await client.GenerateEmbeddingAsync("The quick brown fox")).Value.ToFloats().ToArray();
        var other = (await client.GenerateEmbeddingAsync("The lazy dog")).Value.ToFloats().ToArray();
        var small = (await client.GenerateEmbeddingAsync("The quick brown fox", new EmbeddingGenerationOptions { Dimensions = 64 })).Value.ToFloats().ToArray();

        Assert.Equal(MockProviderOptions.DefaultEmbeddingDimensions, first.Length);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(64, small.Length);
        Assert.Equal(1.0, Norm(first), 4);
        Assert.Equal(1.0, Norm(other), 4);
        Assert.Equal(1.0, Norm(small), 4);
        Assert.InRange(CosineOfUnitVectors(first, other), -0.2, 0.2);
    }

    [Fact]
    public async Task Embeddings_for_a_batch_come_back_in_input_order_with_usage()
    {
        var client = fixture.Factory.CreateOpenAIClient().GetEmbeddingClient("mock-embedding");

        var batch = (await client.GenerateEmbeddingsAsync(["alpha", "beta", "alpha"])).Value;
        var beta = (await client.GenerateEmbeddingAsync("beta")).Value.ToFloats().ToArray();

        Assert.Equal([0, 1, 2], batch.Select(e => e.Index));
        Assert.Equal(batch[0].ToFloats().ToArray(), batch[2].ToFloats().ToArray());
        Assert.Equal(beta, batch[1].ToFloats().ToArray());
        // ~4 characters a token, rounded up per input: "alpha" 2 + "beta" 1 + "alpha" 2.
        Assert.Equal(5, batch.Usage.InputTokenCount);
        Assert.Equal(batch.Usage.InputTokenCount, batch.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Models_lists_the_configured_models()
    {
        var client = fixture.Factory.CreateOpenAIClient().GetOpenAIModelClient();

        var models = (await client.GetModelsAsync()).Value;
        var chat = (await client.GetModelAsync("mock-chat")).Value;

        Assert.Equal(["mock-chat", "mock-embedding"], models.Select(m => m.Id));
        Assert.All(models, m => Assert.Equal("synaxis-mock", m.OwnedBy));
        Assert.Equal("mock-chat", chat.Id);
    }

    private static double Norm(float[] vector) => Math.Sqrt(vector.Sum(x => (double)x * x));

    private static double CosineOfUnitVectors(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
