using System.Text.Json;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// What admission needs from an inference body, read in one forward pass with <see cref="Utf8JsonReader"/> (no DOM,
/// no strings but the model): the model, the completion cap, <c>n</c>, and how much prompt text there is.
/// </summary>
internal readonly record struct InferenceRequest(string Model, long? MaxTokens, int Choices, long PromptTextBytes, long PromptTokenIds)
{
    /// <summary>OpenAI's own tokenizers average about four bytes of English text per token.</summary>
    public const int BytesPerToken = 4;

    /// <summary>
    /// The reservation: prompt tokens (text bytes / 4, rounded up, plus any token ids sent as numbers) plus, for a
    /// completion, <c>max_tokens</c> (or <c>max_completion_tokens</c>, else <see cref="ServiceKit.Admission.AdmissionRequest.DefaultCompletionReserve"/>)
    /// per choice. Embeddings reserve the prompt only. Reconciliation corrects it to the real usage.
    /// </summary>
    public long EstimateTokens(bool completes)
    {
        var prompt = (PromptTextBytes + BytesPerToken - 1) / BytesPerToken + PromptTokenIds;
        return completes
            ? ServiceKit.Admission.AdmissionRequest.EstimateTokens(prompt, MaxTokens) + (Choices - 1) * (MaxTokens ?? ServiceKit.Admission.AdmissionRequest.DefaultCompletionReserve)
            : prompt;
    }

    /// <summary>Reads <paramref name="body"/>; null with <paramref name="error"/> set when it is not an OpenAI request object.</summary>
    public static InferenceRequest? TryRead(ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        string? model = null;
        long? maxTokens = null;
        long? maxCompletionTokens = null;
        var choices = 1;
        long textBytes = 0, tokenIds = 0;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The request body must be a JSON object.";
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = "'model' must be a string.";
                        return null;
                    }
                    model = reader.GetString();
                }
                else if (reader.ValueTextEquals("max_tokens"u8))
                {
                    if (!TryReadCount(ref reader, "max_tokens", ref maxTokens, out error))
                    {
                        return null;
                    }
                }
                else if (reader.ValueTextEquals("max_completion_tokens"u8))
                {
                    if (!TryReadCount(ref reader, "max_completion_tokens", ref maxCompletionTokens, out error))
                    {
                        return null;
                    }
                }
                else if (reader.ValueTextEquals("n"u8))
                {
                    long? n = null;
                    if (!TryReadCount(ref reader, "n", ref n, out error, max: long.MaxValue))
                    {
                        return null;
                    }
                    if (n is { } value)
                    {
                        if (value is < 1 or > 128)
                        {
                            error = "'n' must be between 1 and 128.";
                            return null;
                        }
                        choices = (int)value;
                    }
                }
                else
                {
                    var countNumbers = reader.ValueTextEquals("prompt"u8) || reader.ValueTextEquals("input"u8);
                    reader.Read();
                    Measure(ref reader, countNumbers, ref textBytes, ref tokenIds);
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "The request body must be a single JSON object.";
                return null;
            }
        }
        catch (JsonException)
        {
            error = "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.";
            return null;
        }
        if (string.IsNullOrWhiteSpace(model))
        {
            error = "You must provide a model parameter.";
            return null;
        }
        return new InferenceRequest(model, maxCompletionTokens ?? maxTokens, choices, textBytes, tokenIds);
    }

    /// <summary>
    /// Above any model's context window by far; keeps every estimate (at most 128 choices of it) far from overflow,
    /// so no crafted request can turn its reservation negative.
    /// </summary>
    public const long MaxTokensCap = 100_000_000;

    private static bool TryReadCount(ref Utf8JsonReader reader, string name, ref long? value, out string? error, long max = MaxTokensCap)
    {
        error = null;
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var number) || number < 0)
        {
            error = $"'{name}' must be a non-negative integer.";
            return false;
        }
        if (number > max)
        {
            error = $"'{name}' must be at most {max}.";
            return false;
        }
        value = number;
        return true;
    }

    /// <summary>
    /// Walks one value (the reader is on its first token): string bytes count as text; numbers count as token ids
    /// only under <c>prompt</c> and <c>input</c>, the two fields that accept pre-tokenized arrays.
    /// </summary>
    private static void Measure(ref Utf8JsonReader reader, bool countNumbers, ref long textBytes, ref long tokenIds)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                textBytes += TextLength(ref reader);
            }
            return;
        }
        var depth = reader.CurrentDepth;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    textBytes += TextLength(ref reader);
                    break;
                case JsonTokenType.Number when countNumbers:
                    tokenIds++;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray when reader.CurrentDepth == depth:
                    return;
            }
        }
    }

    /// <summary>
    /// The UTF-8 length of a string's text: its raw length, or, when it has escapes (<c>\u4e16</c>, as Python's
    /// json.dumps writes every non-ASCII character), the length after unescaping, so such clients are not
    /// estimated at three times their size.
    /// </summary>
    private static long TextLength(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (!reader.ValueIsEscaped)
        {
            return raw;
        }
        if (raw <= 1024)
        {
            Span<byte> small = stackalloc byte[1024];
            return reader.CopyString(small);
        }
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent((int)raw);
        try
        {
            return reader.CopyString(rented);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
