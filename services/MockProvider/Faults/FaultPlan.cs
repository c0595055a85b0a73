using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.MockProvider.Apis;
using Synaxis.MockProvider.Models;

namespace Synaxis.MockProvider.Faults;

/// <summary>
/// What one request suffers, resolved from its <c>x-mock-*</c> headers over <see cref="FaultOptions"/>.
/// Stored in the request's features so the streaming answers can pace and cut themselves.
/// </summary>
public sealed record FaultPlan(FaultKind Fault, int LatencyMs, int ChunkDelayMs, int RetryAfterSeconds, int CutAfterChunks)
{
    public static readonly FaultPlan None = new(FaultKind.None, 0, 0, 1, 2);

    public static FaultPlan For(HttpContext context) => context.Features.Get<FaultPlan>() ?? None;

    /// <summary>Returns an error answer instead when a header has a value the mock does not understand.</summary>
    public static FaultPlan Resolve(IHeaderDictionary headers, FaultOptions options, FaultDice dice, out JsonHttpResult<ErrorEnvelope>? error)
    {
        error = null;
        if (!TryReadFault(headers, options, dice, out var fault, ref error)
            | !TryReadCount(headers, FaultHeaders.LatencyMs, options.LatencyMs, out var latency, ref error)
            | !TryReadCount(headers, FaultHeaders.ChunkDelayMs, options.ChunkDelayMs, out var chunkDelay, ref error)
            | !TryReadCount(headers, FaultHeaders.RetryAfter, options.RetryAfterSeconds, out var retryAfter, ref error)
            | !TryReadCount(headers, FaultHeaders.CutAfter, options.CutAfterChunks, out var cutAfter, ref error))
        {
            return None;
        }

        return fault == FaultKind.None && latency == 0 && chunkDelay == 0
            ? None
            : new FaultPlan(fault, latency, chunkDelay, retryAfter, cutAfter);
    }

    private static bool TryReadFault(IHeaderDictionary headers, FaultOptions options, FaultDice dice, out FaultKind fault, ref JsonHttpResult<ErrorEnvelope>? error)
    {
        if (headers.TryGetValue(FaultHeaders.Fault, out var header))
        {
            if (FaultKinds.TryParse(header.ToString(), out fault))
            {
                return true;
            }

            error ??= OpenAiErrors.InvalidRequest(
                $"Unknown {FaultHeaders.Fault} '{header}'. Use one of: {FaultKinds.Names}.", FaultHeaders.Fault);
            return false;
        }

        // Options are validated at startup, so these names parse.
        FaultKinds.TryParse(options.Fault, out fault);
        if (fault == FaultKind.None && dice.Roll(options.ErrorRate))
        {
            FaultKinds.TryParse(options.RandomFault, out fault);
        }

        return true;
    }

    private static bool TryReadCount(IHeaderDictionary headers, string name, int configured, out int value, ref JsonHttpResult<ErrorEnvelope>? error)
    {
        if (!headers.TryGetValue(name, out var header))
        {
            value = configured;
            return true;
        }

        if (int.TryParse(header.ToString(), out value) && value >= 0)
        {
            return true;
        }

        error ??= OpenAiErrors.InvalidRequest($"Header {name} must be a non-negative integer, got '{header}'.", name);
        return false;
    }
}
