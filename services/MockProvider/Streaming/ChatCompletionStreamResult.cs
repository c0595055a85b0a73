using Synaxis.MockProvider.Generation;
using Synaxis.MockProvider.Models;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Streaming;

/// <summary>
/// <c>chat.completion.chunk</c> events: the role first, one content delta per word, the finish reason,
/// then (with <c>stream_options.include_usage</c>) a usage chunk whose <c>choices</c> is empty.
/// </summary>
public sealed class ChatCompletionStreamResult(string model, Reply reply, int promptTokens, bool includeUsage) : SseResult
{
    protected override async Task WriteEventsAsync(SseStream stream)
    {
        var id = ResponseIds.ChatCompletion();
        var created = ResponseIds.UnixNow();
        var typeInfo = MockJson.Context.ChatCompletionChunk;

        ChatCompletionChunk Chunk(ChatDelta delta, string? finishReason) =>
            new(id, created, model, [new ChatChunkChoice(0, delta, finishReason)], null);

        if (!await stream.WriteAsync(Chunk(new ChatDelta("assistant", string.Empty), null), typeInfo))
        {
            return;
        }

        foreach (var piece in reply.Pieces)
        {
            if (!await stream.WriteAsync(Chunk(new ChatDelta(null, piece), null), typeInfo))
            {
                return;
            }
        }

        if (!await stream.WriteAsync(Chunk(ChatDelta.Empty, reply.FinishReason), typeInfo))
        {
            return;
        }

        if (includeUsage
            && !await stream.WriteAsync(new ChatCompletionChunk(id, created, model, [], Usage.Of(promptTokens, reply.CompletionTokens)), typeInfo))
        {
            return;
        }

        await stream.CompleteAsync();
    }
}
