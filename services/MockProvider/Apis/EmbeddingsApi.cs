using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Synaxis.MockProvider.Generation;
using Synaxis.MockProvider.Models;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Apis;

/// <summary>Deterministic embeddings: the same text always gets the same unit vector (see <see cref="EmbeddingGenerator"/>).</summary>
public static class EmbeddingsApi
{
    /// <summary>OpenAI's own cap on inputs per request.</summary>
    public const int MaxInputs = 2048;

    public static RouteGroupBuilder MapEmbeddingsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/embeddings", CreateEmbeddingsAsync).WithName("CreateEmbeddings");
        return v1;
    }

    public static async Task<Results<JsonHttpResult<EmbeddingList<float[]>>, JsonHttpResult<EmbeddingList<string>>, JsonHttpResult<ErrorEnvelope>>> CreateEmbeddingsAsync(
        HttpRequest httpRequest, ModelCatalog models, IOptionsMonitor<MockProviderOptions> options, CancellationToken cancellationToken)
    {
        var (request, parseError) = await RequestBody.ReadAsync(httpRequest, MockJson.Context.EmbeddingRequest, cancellationToken);
        if (request is null)
        {
            return parseError!;
        }

        if (Validate(request, models) is { } invalid)
        {
            return invalid;
        }

        var model = request.Model!;
        var inputs = request.Input!;
        var dimensions = request.Dimensions ?? options.CurrentValue.EmbeddingDimensions;
        var tokens = TokenEstimator.ForTexts(inputs);
        var usage = new EmbeddingUsage(tokens, tokens);

        if (string.Equals(request.EncodingFormat, "base64", StringComparison.Ordinal))
        {
            return TypedResults.Json(
                new EmbeddingList<string>(Base64Vectors(inputs, dimensions), model, usage),
                MockJson.Context.EmbeddingListString);
        }

        var data = new EmbeddingItem<float[]>[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var vector = new float[dimensions];
            EmbeddingGenerator.Fill(inputs[i], vector);
            data[i] = new EmbeddingItem<float[]>(i, vector);
        }

        return TypedResults.Json(new EmbeddingList<float[]>(data, model, usage), MockJson.Context.EmbeddingListSingleArray);
    }

    private static EmbeddingItem<string>[] Base64Vectors(string[] inputs, int dimensions)
    {
        // The float vector is only a step towards the string: one pooled buffer serves every input.
        var buffer = ArrayPool<float>.Shared.Rent(dimensions);
        try
        {
            var vector = buffer.AsSpan(0, dimensions);
            var data = new EmbeddingItem<string>[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                EmbeddingGenerator.Fill(inputs[i], vector);
                data[i] = new EmbeddingItem<string>(i, EmbeddingGenerator.ToBase64(vector));
            }

            return data;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static JsonHttpResult<ErrorEnvelope>? Validate(EmbeddingRequest request, ModelCatalog models)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return OpenAiErrors.MissingParameter("model");
        }

        if (request.Input is null)
        {
            return OpenAiErrors.MissingParameter("input");
        }

        if (request.Input.Length is 0 or > MaxInputs)
        {
            return OpenAiErrors.InvalidRequest($"'input' must hold between 1 and {MaxInputs} strings.", "input", "invalid_value");
        }

        if (Array.FindIndex(request.Input, string.IsNullOrEmpty) is var empty and >= 0)
        {
            return OpenAiErrors.InvalidRequest($"'input[{empty}]' must not be empty.", "input", "invalid_value");
        }

        if (request.Dimensions is < 1 or > MockProviderOptions.MaxEmbeddingDimensions)
        {
            return OpenAiErrors.InvalidRequest(
                $"'dimensions' must be between 1 and {MockProviderOptions.MaxEmbeddingDimensions}.", "dimensions", "invalid_value");
        }

        if (request.EncodingFormat is not (null or "float" or "base64"))
        {
            return OpenAiErrors.InvalidRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format", "invalid_value");
        }

        return models.Serves(request.Model) ? null : OpenAiErrors.ModelNotFound(request.Model);
    }
}
