using Synaxis.MockProvider.Generation;
using Synaxis.MockProvider.Models;

namespace Synaxis.MockProvider.Tests;

/// <summary>The pure logic behind the answers, without HTTP.</summary>
public sealed class GenerationTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 1)]
    [InlineData("abcd", 1)]
    [InlineData("abcde", 2)]
    [InlineData("abcdefgh", 2)]
    public void Text_costs_a_token_per_four_characters_rounded_up(string text, int tokens) =>
        Assert.Equal(tokens, TokenEstimator.ForText(text));

    [Fact]
    public void Chat_prompts_add_openai_message_framing()
    {
        ChatMessage[] messages = [new("system", "abcd"), new("user", null)];

        Assert.Equal(3 + (4 + 1) + (4 + 0), TokenEstimator.ForChat(messages));
    }

    [Fact]
    public void Replies_are_deterministic_and_between_16_and_32_tokens()
    {
        for (var i = 0; i < 200; i++)
        {
            var prompt = $"prompt number {i}";
            var reply = ReplyGenerator.Generate(prompt, null);

            Assert.Equal(reply.Text, ReplyGenerator.Generate(prompt, null).Text);
            Assert.Equal(Reply.Stop, reply.FinishReason);
            Assert.InRange(reply.CompletionTokens, ReplyGenerator.MinNaturalTokens, ReplyGenerator.MaxNaturalTokens + 4);
            Assert.Equal(TokenEstimator.ForText(reply.Text), reply.CompletionTokens);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(15)]
    public void Max_tokens_is_never_exceeded(int maxTokens)
    {
        var reply = ReplyGenerator.Generate("Please write a very long essay about tokens", maxTokens);

        Assert.Equal(Reply.Length, reply.FinishReason);
        Assert.InRange(reply.CompletionTokens, 1, maxTokens);
        Assert.NotEmpty(reply.Pieces);
    }

    [Fact]
    public void A_generous_limit_does_not_change_the_reply()
    {
        var free = ReplyGenerator.Generate("hello", null);
        var limited = ReplyGenerator.Generate("hello", 1000);

        Assert.Equal(free.Text, limited.Text);
        Assert.Equal(Reply.Stop, limited.FinishReason);
    }

    [Fact]
    public void Long_prompt_words_are_echoed_truncated()
    {
        var reply = ReplyGenerator.Generate(new string('x', 500), null);

        Assert.StartsWith("Mock reply to: " + new string('x', 24) + " ", reply.Text);
    }

    [Fact]
    public void Embeddings_are_unit_vectors_seeded_by_the_text_only()
    {
        var a = new float[300];
        var b = new float[300];
        var c = new float[300];
        EmbeddingGenerator.Fill("same", a);
        EmbeddingGenerator.Fill("same", b);
        EmbeddingGenerator.Fill("different", c);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(1.0, Math.Sqrt(a.Sum(x => (double)x * x)), 5);
        Assert.All(a, x => Assert.InRange(x, -1f, 1f));
    }
}
