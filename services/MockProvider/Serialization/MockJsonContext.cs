using System.Text.Json.Serialization;
using Synaxis.MockProvider.Models;

namespace Synaxis.MockProvider.Serialization;

/// <summary>
/// Every type on the wire, source-generated so no reflection runs per request. snake_case as OpenAI.
/// Nulls are written (OpenAI writes <c>"param": null</c>, <c>"finish_reason": null</c>) except where a
/// property opts out. Serialize through <see cref="MockJson.Context"/>, which adds OpenAI's escaping.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(TextCompletion))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(EmbeddingList<float[]>))]
[JsonSerializable(typeof(EmbeddingList<string>))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelInfo))]
public sealed partial class MockJsonContext : JsonSerializerContext;
