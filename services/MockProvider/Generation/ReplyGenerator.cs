using System.Diagnostics;

namespace Synaxis.MockProvider.Generation;

/// <summary>
/// Deterministic replies: "Mock reply to: &lt;first words of the prompt&gt;" followed by lorem-like words
/// chosen from a hash of the prompt, 16 to 32 tokens long. <c>max_tokens</c> cuts the reply at a word
/// boundary and turns the finish reason into <c>length</c>, as a real model does.
/// </summary>
public static class ReplyGenerator
{
    public const int MinNaturalTokens = 16;
    public const int MaxNaturalTokens = 32;
    private const int MaxEchoedWords = 8;
    private const int MaxEchoedWordLength = 24;

    // Leading spaces are baked in so streaming needs no per-word concatenation.
    private static readonly string[] Filler =
    [
        " lorem", " ipsum", " dolor", " sit", " amet", " consectetur", " adipiscing", " elit", " sed", " do",
        " eiusmod", " tempor", " incididunt", " ut", " labore", " et", " dolore", " magna", " aliqua", " enim",
        " ad", " minim", " veniam", " quis", " nostrud", " exercitation", " ullamco", " laboris", " nisi",
        " aliquip", " ex", " ea", " commodo", " consequat", " duis", " aute", " irure", " in", " voluptate",
        " velit", " esse", " cillum", " fugiat", " nulla", " pariatur", " excepteur", " sint", " occaecat",
    ];

    public static Reply Generate(string? prompt, int? maxTokens)
    {
        var seed = StableHash.Of(prompt);
        var naturalTokens = MinNaturalTokens + (int)(seed % (MaxNaturalTokens - MinNaturalTokens + 1));
        var limit = maxTokens ?? int.MaxValue;

        var pieces = new List<string>(MaxNaturalTokens);
        var characters = 0;
        foreach (var piece in NaturalPieces(prompt ?? string.Empty, seed))
        {
            if (TokenEstimator.ForLength(characters + piece.Length) > limit)
            {
                return new Reply(pieces, TokenEstimator.ForLength(characters), Reply.Length);
            }

            pieces.Add(piece);
            characters += piece.Length;
            if (TokenEstimator.ForLength(characters) >= naturalTokens)
            {
                return new Reply(pieces, TokenEstimator.ForLength(characters), Reply.Stop);
            }
        }

        throw new UnreachableException("The filler words never run out.");
    }

    /// <summary>The reply as it would be without a limit: endless, the caller decides where it ends.</summary>
    private static IEnumerable<string> NaturalPieces(string prompt, ulong seed)
    {
        var firstWord = NextWord(prompt, 0, out var next);
        yield return "Mock";
        if (firstWord is null)
        {
            yield return " reply:";
        }
        else
        {
            yield return " reply";
            yield return " to:";
            yield return firstWord;
            for (var echoed = 1; echoed < MaxEchoedWords && NextWord(prompt, next, out next) is { } word; echoed++)
            {
                yield return word;
            }
        }

        var state = seed | 1;
        while (true)
        {
            // xorshift64: a cheap, deterministic walk through the filler words.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            yield return Filler[(int)(state % (ulong)Filler.Length)];
        }
    }

    /// <summary>The next whitespace-separated word from <paramref name="start"/>, with a leading space, capped in length.</summary>
    private static string? NextWord(string text, int start, out int end)
    {
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return end == start
            ? null
            : string.Concat(" ", text.AsSpan(start, Math.Min(end - start, MaxEchoedWordLength)));
    }
}
