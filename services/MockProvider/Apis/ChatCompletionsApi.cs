using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.MockProvider.Generation;
using Synaxis.MockProvider.Models;
using Synaxis.MockProvider.Serialization;
using Synaxis.MockProvider.Streaming;

namespace Synaxis.MockProvider.Apis;

public static class ChatCompletionsApi
{
    public static RouteGroupBuilder MapChatCompletionsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/chat/completions", CreateChatCompletionAsync).WithName("CreateChatCompletion");
        return v1;
    }

    public static async Task<Results<JsonHttpResult<ChatCompletion>, ChatCompletionStreamResult, JsonHttpResult<ErrorEnvelope>>> CreateChatCompletionAsync(
        HttpRequest httpRequest, ModelCatalog models, CancellationToken cancellationToken)
    {
        var (request, parseError) = await RequestBody.ReadAsync(httpRequest, MockJson.Context.ChatCompletionRequest, cancellationToken);
        if (request is null)
        {
            return parseError!;
        }

        if (Validate(request, models) is { } invalid)
        {
            return invalid;
        }

        var model = request.Model!;
        var messages = request.Messages!;
        var reply = ReplyGenerator.Generate(LastUserText(messages), request.MaxCompletionTokens ?? request.MaxTokens);
        var promptTokens = TokenEstimator.ForChat(messages);

        if (request.Stream == true)
        {
            return new ChatCompletionStreamResult(model, reply, promptTokens, request.StreamOptions?.IncludeUsage == true);
        }

        var completion = new ChatCompletion(
            ResponseIds.ChatCompletion(),
            ResponseIds.UnixNow(),
            model,
            [new ChatChoice(0, new AssistantMessage("assistant", reply.Text), reply.FinishReason)],
            Usage.Of(promptTokens, reply.CompletionTokens));
        return TypedResults.Json(completion, MockJson.Context.ChatCompletion);
    }

    private static JsonHttpResult<ErrorEnvelope>? Validate(ChatCompletionRequest request, ModelCatalog models)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return OpenAiErrors.MissingParameter("model");
        }

        if (request.Messages is null)
        {
            return OpenAiErrors.MissingParameter("messages");
        }

        if (request.Messages.Length == 0)
        {
            return OpenAiErrors.InvalidRequest("'messages' must contain at least one message.", "messages", "empty_array");
        }

        for (var i = 0; i < request.Messages.Length; i++)
        {
            if (request.Messages[i] is not { Role: not null })
            {
                return OpenAiErrors.MissingParameter($"messages[{i}].role");
            }
        }

        if (request.MaxCompletionTokens is < 1 || request.MaxTokens is < 1)
        {
            var param = request.MaxCompletionTokens is < 1 ? "max_completion_tokens" : "max_tokens";
            return OpenAiErrors.InvalidRequest($"'{param}' must be at least 1.", param, "integer_below_min_value");
        }

        if (request.N is not (null or 1))
        {
            return OpenAiErrors.InvalidRequest("The mock provider only supports n = 1.", "n", "unsupported_value");
        }

        return models.Serves(request.Model) ? null : OpenAiErrors.ModelNotFound(request.Model);
    }

    /// <summary>The reply answers the last user turn; without one (a system-only prompt), the last message.</summary>
    private static string? LastUserText(ChatMessage[] messages)
    {
        for (var i = messages.Length - 1; i >= 0; i--)
        {
            if (string.Equals(messages[i].Role, "user", StringComparison.Ordinal))
            {
                return messages[i].Content;
            }
        }

        return messages[^1].Content;
    }
}
