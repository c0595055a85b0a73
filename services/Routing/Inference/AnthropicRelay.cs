using System.Buffers;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Upstream;
using Synaxis.Routing.Upstream.Anthropic;

namespace Synaxis.Routing.Inference;

/// <summary>
/// The Anthropic Messages API behind <c>/v1/chat/completions</c>: the OpenAI request translated to <c>POST messages</c>,
/// and the answer (whole, or event by event) translated back to OpenAI's chat completion, with the model asked for.
/// </summary>
internal static class AnthropicRelay
{
    public static HttpRequestMessage CreateRequest(RouteCandidate candidate, byte[] translatedBody, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(candidate.Provider.BaseUri, "messages"))
        {
            Content = AnthropicRequestHeaders.JsonContent(translatedBody),
        };
        AnthropicRequestHeaders.Apply(request, candidate.Provider.ApiKey ?? "none", stream);
        return request;
    }

    /// <summary>A whole answer: OpenAI's chat completion bytes and the usage.</summary>
    public static (byte[] Body, TokenUsage Usage) TranslateAnswer(byte[] anthropicJson, string clientModel, TimeProvider time)
    {
        var body = AnthropicResponseTranslator.Translate(anthropicJson, clientModel, time.GetUtcNow().ToUnixTimeSeconds(), out var usage);
        return (body, new TokenUsage(usage.PromptTokens, usage.CompletionTokens));
    }

    /// <summary>Relays a stream event by event (each flushed); returns the usage and whether the stream failed.</summary>
    public static async Task<(TokenUsage Usage, bool Failed)> RelayStreamAsync(HttpContext context, HttpResponseMessage response,
        string clientModel, bool includeUsage, TimeProvider time)
    {
        var writer = context.Response.BodyWriter;
        var translator = new AnthropicStreamTranslator(clientModel, time.GetUtcNow().ToUnixTimeSeconds(), includeUsage);
        await using var upstream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        await using var reader = new SseEventReader(upstream);
        try
        {
            while (await reader.ReadAsync(context.RequestAborted))
            {
                translator.Translate(reader.EventType, reader.Data, writer);
                var flush = await writer.FlushAsync(context.RequestAborted);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or InvalidDataException && !context.RequestAborted.IsCancellationRequested)
        {
            // Cut mid-stream: Complete below tells the client.
        }
        if (!context.RequestAborted.IsCancellationRequested)
        {
            translator.Complete(writer);
            await writer.FlushAsync(context.RequestAborted);
        }
        var usage = translator.Usage;
        return (new TokenUsage(usage.PromptTokens, usage.CompletionTokens), translator.Failed || !translator.Completed);
    }

    public static async Task RelayErrorAsync(HttpContext context, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        var error = AnthropicErrorTranslator.Translate(body, (int)response.StatusCode);
        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(error.Body, context.RequestAborted);
    }
}
