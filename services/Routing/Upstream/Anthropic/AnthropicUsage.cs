namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>
/// Token counts of one Anthropic response in OpenAI's terms: <see cref="PromptTokens"/> is
/// <c>input_tokens + cache_creation_input_tokens + cache_read_input_tokens</c> (Anthropic reports the
/// cached parts apart from <c>input_tokens</c>; OpenAI counts them in the prompt), and
/// <see cref="CachedPromptTokens"/> is the cache-read part of it.
/// </summary>
public readonly record struct AnthropicUsage(long PromptTokens, long CompletionTokens, long CachedPromptTokens = 0)
{
    public long TotalTokens => PromptTokens + CompletionTokens;
}
