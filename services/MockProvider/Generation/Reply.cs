namespace Synaxis.MockProvider.Generation;

/// <summary>
/// A generated answer as the pieces it streams in (one per word, each with its leading space), so the
/// streamed deltas concatenate to exactly the non-streamed content.
/// </summary>
public sealed class Reply(List<string> pieces, int completionTokens, string finishReason)
{
    public const string Stop = "stop";
    public const string Length = "length";

    public IReadOnlyList<string> Pieces => pieces;
    public int CompletionTokens => completionTokens;
    public string FinishReason => finishReason;

    public string Text => string.Concat(pieces);
}
