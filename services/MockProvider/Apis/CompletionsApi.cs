using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.MockProvider.Generation;
using Synaxis.MockProvider.Models;
using Synaxis.MockProvider.Serialization;
using Synaxis.MockProvider.Streaming;

namespace Synaxis.MockProvider.Apis;

/// <summary>The legacy completions API: one choice per prompt, as OpenAI answers an array of prompts.</summary>
public static class CompletionsApi
{
    /// <summary>OpenAI's own cap on prompts per request.</summary>
    public const int MaxPrompts = 2048;

    public static RouteGroupBuilder MapCompletionsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/completions", CreateCompletionAsync).WithName("CreateCompletion");
        return v1;
    }

    public static async Task<Results<JsonHttpResult<TextCompletion>, TextCompletionStreamResult, JsonHttpResult<ErrorEnvelope>>> CreateCompletionAsync(
        HttpRequest httpRequest, ModelCatalog models, CancellationToken cancellationToken)
    {
        var (request, parseError) = await RequestBody.ReadAsync(httpRequest, MockJson.Context.CompletionRequest, cancellationToken);
        if (request is null)
        {
            return parseError!;
        }

        if (Validate(request, models) is { } invalid)
        {
            return invalid;
        }

        var model = request.Model!;
        var prompts = request.Prompt!;
        var replies = new Reply[prompts.Length];
        var completionTokens = 0;
        for (var i = 0; i < prompts.Length; i++)
        {
            replies[i] = ReplyGenerator.Generate(prompts[i], request.MaxTokens);
            completionTokens += replies[i].CompletionTokens;
        }

        var promptTokens = TokenEstimator.ForTexts(prompts);
        if (request.Stream == true)
        {
            return new TextCompletionStreamResult(model, replies, promptTokens, request.StreamOptions?.IncludeUsage == true);
        }

        var choices = new TextChoice[replies.Length];
        for (var i = 0; i < replies.Length; i++)
        {
            choices[i] = new TextChoice(replies[i].Text, i, replies[i].FinishReason);
        }

        var completion = new TextCompletion(
            ResponseIds.TextCompletion(), ResponseIds.UnixNow(), model, choices, Usage.Of(promptTokens, completionTokens));
        return TypedResults.Json(completion, MockJson.Context.TextCompletion);
    }

    private static JsonHttpResult<ErrorEnvelope>? Validate(CompletionRequest request, ModelCatalog models)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return OpenAiErrors.MissingParameter("model");
        }

        if (request.Prompt is null)
        {
            return OpenAiErrors.MissingParameter("prompt");
        }

        if (request.Prompt.Length is 0 or > MaxPrompts)
        {
            return OpenAiErrors.InvalidRequest($"'prompt' must hold between 1 and {MaxPrompts} strings.", "prompt", "invalid_value");
        }

        if (request.MaxTokens is < 1)
        {
            return OpenAiErrors.InvalidRequest("'max_tokens' must be at least 1.", "max_tokens", "integer_below_min_value");
        }

        if (request.N is not (null or 1))
        {
            return OpenAiErrors.InvalidRequest("The mock provider only supports n = 1.", "n", "unsupported_value");
        }

        return models.Serves(request.Model) ? null : OpenAiErrors.ModelNotFound(request.Model);
    }
}
