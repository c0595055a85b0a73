namespace Synaxis.Routing.Upstream.Anthropic;

/// <summary>
/// Anthropic answered 2xx with a body that is not a Messages API message (malformed JSON, a missing
/// <c>id</c>, an error object where a message belongs). The caller answers 502: the client's request
/// was fine, the upstream's answer was not.
/// </summary>
public sealed class AnthropicProtocolException : Exception
{
    public AnthropicProtocolException(string message) : base(message)
    {
    }

    public AnthropicProtocolException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
