using Synaxis.MockProvider.Models;

namespace Synaxis.MockProvider.Generation;

/// <summary>
/// Token counts without a tokenizer: about 4 characters per token (OpenAI's rule of thumb for
/// English), rounded up, at least 1 for any non-empty text. Chat prompts add OpenAI's framing:
/// 4 tokens per message (3 of framing plus the role) and 3 that prime the reply. The same rule counts
/// prompts and completions, so the gateway's reconciliation of reserved against actual tokens sees
/// numbers that add up.
/// </summary>
public static class TokenEstimator
{
    public const int CharsPerToken = 4;
    public const int TokensPerMessage = 4;
    public const int TokensPerReplyPriming = 3;

    public static int ForLength(int characters) =>
        characters <= 0 ? 0 : (characters + CharsPerToken - 1) / CharsPerToken;

    public static int ForText(string? text) => ForLength(text?.Length ?? 0);

    public static int ForChat(ChatMessage[] messages)
    {
        var tokens = TokensPerReplyPriming;
        foreach (var message in messages)
        {
            tokens += TokensPerMessage + ForText(message.Content);
        }

        return tokens;
    }

    public static int ForTexts(string[] texts)
    {
        var tokens = 0;
        foreach (var text in texts)
        {
            tokens += ForText(text);
        }

        return tokens;
    }
}
