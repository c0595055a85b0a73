using Synaxis.MockProvider.Generation;
using Synaxis.MockProvider.Models;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Streaming;

/// <summary>
/// Legacy <c>text_completion</c> events: one text delta per word for each prompt in turn (its index in
/// <c>choices[0].index</c>), a finishing event per prompt, then the optional usage event and <c>[DONE]</c>.
/// </summary>
public sealed class TextCompletionStreamResult(string model, Reply[] replies, int promptTokens, bool includeUsage) : SseResult
{
    protected override async Task WriteEventsAsync(SseStream stream)
    {
        var id = ResponseIds.TextCompletion();
        var created = ResponseIds.UnixNow();
        var typeInfo = MockJson.Context.TextCompletion;

        TextCompletion Chunk(string text, int index, string? finishReason) =>
            new(id, created, model, [new TextChoice(text, index, finishReason)], null);

        var completionTokens = 0;
        for (var index = 0; index < replies.Length; index++)
        {
            var reply = replies[index];
            completionTokens += reply.CompletionTokens;
            foreach (var piece in reply.Pieces)
            {
                if (!await stream.WriteAsync(Chunk(piece, index, null), typeInfo))
                {
                    return;
                }
            }

            if (!await stream.WriteAsync(Chunk(string.Empty, index, reply.FinishReason), typeInfo))
            {
                return;
            }
        }

        if (includeUsage
            && !await stream.WriteAsync(new TextCompletion(id, created, model, [], Usage.Of(promptTokens, completionTokens)), typeInfo))
        {
            return;
        }

        await stream.CompleteAsync();
    }
}
