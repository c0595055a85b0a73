using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Model;
using System.IO.Pipelines;
using Synaxis.Routing.Upstream;
using Synaxis.Routing.Upstream.Anthropic;
using Synaxis.ServiceKit.Inference;
using Synaxis.ServiceKit.OpenAI;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Inference;

/// <summary>Section <c>Routing</c>.</summary>
public sealed class InferenceOptions
{
    /// <summary>How long an upstream may take to send its answer's headers before the next candidate is tried.</summary>
    public TimeSpan FirstByteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a provider's circuit stays open after <see cref="ProviderHealth.FailuresToOpen"/> failures in a row.</summary>
    public TimeSpan CircuitOpenFor { get; set; } = ProviderHealth.DefaultOpenFor;
}

/// <summary>
/// One inference request: resolve the model in the catalog, rank the candidates by the organization's strategy,
/// and call them in turn. Connect failures, timeouts before the answer's headers, 429 (the provider rests for its
/// retry-after) and 5xx move on to the next candidate; the first answer that starts wins and is streamed to the
/// client as it arrives (each SSE event flushed on its own), with <c>model</c> set back to the name asked for. After
/// the first byte nothing falls back: a failing stream ends with an SSE error event.
/// </summary>
public sealed partial class InferenceProxy(
    CatalogCache catalog,
    ProviderHealth health,
    UsageRecorder usage,
    FreeTierQuota freeTiers,
    RoutingMetrics metrics,
    IHttpClientFactory httpClients,
    IOptions<InferenceOptions> options,
    TimeProvider time,
    ILogger<InferenceProxy> logger)
{
    public const string HttpClientName = "upstream";

    /// <summary>The client of organizations' own providers: its own pool, public addresses only (see Extensions).</summary>
    public const string CustomHttpClientName = "upstream-custom";

    public const string ProviderHeader = "x-synaxis-provider";
    public const string TierHeader = "x-synaxis-provider-tier";
    public const string CostHeader = "x-synaxis-cost-usd";
    public const string SavedHeader = "x-synaxis-money-saved-usd";

    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    public async Task HandleAsync(HttpContext context, string operation)
    {
        var body = await ReadBodyAsync(context.Request, context.RequestAborted);
        if (UpstreamRequest.TryRead(body, out var error) is not { } request)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, error!, "invalid_request_error", null);
            return;
        }
        if (context.User.FindOrganizationId() is not { } organizationId)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "No organization in the caller's identity.", "invalid_request_error", "invalid_api_key");
            return;
        }
        var snapshot = catalog.Current;
        var candidates = snapshot.Resolve(organizationId, request.Model);
        if (candidates.Length == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound,
                $"The model `{request.Model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");
            return;
        }
        var ranking = CandidateRanker.Rank(candidates, snapshot.StrategyOf(organizationId), health);
        if (ranking.Ordered.Count == 0)
        {
            if (ranking.PaidExcluded)
            {
                await WriteErrorAsync(context, StatusCodes.Status403Forbidden,
                    $"Only paid providers serve `{request.Model}` right now, and your organization does not allow paid fallback " +
                    "(an Admin can allow it: PUT /api/routing/strategy with \"allowPaidFallback\": true).",
                    "invalid_request_error", "permission_denied");
                return;
            }
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"No provider of `{request.Model}` meets your organization's routing limits right now.", "server_error", "service_unavailable");
            return;
        }

        var clientModel = JsonEdits.QuotedString(request.Model);
        byte[]? anthropicBody = null;
        var attempts = 0;
        var timeouts = 0;
        foreach (var candidate in ranking.Ordered)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            var anthropic = candidate.Provider.Kind == ProviderKinds.Anthropic;
            if (anthropic && operation != "chat/completions")
            {
                continue; // the Messages API serves chat only
            }
            if (anthropic)
            {
                anthropicBody = AnthropicRequestTranslator.Translate(request.Body.Span, candidate.UpstreamModel, out var translationError);
                if (anthropicBody is null)
                {
                    await WriteErrorAsync(context, StatusCodes.Status400BadRequest, translationError ?? "The request cannot be sent to this model.", "invalid_request_error", null);
                    return;
                }
            }
            if (!health.TryAcquire(candidate.Provider.Id))
            {
                continue;
            }
            if (!await freeTiers.TryTakeAsync(candidate.Provider))
            {
                health.Release(candidate.Provider.Id);
                metrics.Fallback(candidate.Provider.Name, "free_tier_exhausted");
                continue;
            }
            attempts++;
            var started = Stopwatch.GetTimestamp();
            HttpResponseMessage? response = null;
            using var firstByte = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            firstByte.CancelAfter(options.Value.FirstByteTimeout);
            try
            {
                using var upstream = anthropic
                    ? AnthropicRelay.CreateRequest(candidate, anthropicBody!, request.Stream)
                    : UpstreamCall.Create(candidate, operation, request.For(candidate.UpstreamModel), request.Stream);
                response = await httpClients.CreateClient(candidate.Provider.OrganizationId is null ? HttpClientName : CustomHttpClientName)
                    .SendAsync(upstream, HttpCompletionOption.ResponseHeadersRead, firstByte.Token);
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
            {
                if (exception is OperationCanceledException)
                {
                    timeouts++;
                }
                health.Failure(candidate.Provider.Id);
                metrics.Fallback(candidate.Provider.Name, exception is OperationCanceledException ? "timeout" : "connect");
                LogFallback(logger, candidate.Provider.Name, exception.GetType().Name);
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    health.Failure(candidate.Provider.Id, RetryAfter(response) ?? TimeSpan.FromSeconds(1));
                    metrics.Fallback(candidate.Provider.Name, "rate_limited");
                    LogFallback(logger, candidate.Provider.Name, "429");
                    continue;
                }
                if (status >= 500 || status is 401 or 403 or 404 or 408 || status is >= 300 and < 400)
                {
                    // The provider's fault (or its configuration's): another candidate may serve the same request. A
                    // redirect is not followed (it would carry the provider's key wherever it points) and counts here.
                    health.Failure(candidate.Provider.Id);
                    metrics.Fallback(candidate.Provider.Name, "status_" + status.ToString(CultureInfo.InvariantCulture));
                    LogFallback(logger, candidate.Provider.Name, status.ToString(CultureInfo.InvariantCulture));
                    continue;
                }
                if (status >= 400)
                {
                    // The request's fault: every candidate would refuse it the same way.
                    health.Success(candidate.Provider.Id, Stopwatch.GetElapsedTime(started));
                    await (anthropic ? AnthropicRelay.RelayErrorAsync(context, response) : RelayErrorAsync(context, response));
                    return;
                }
                health.Success(candidate.Provider.Id, Stopwatch.GetElapsedTime(started));
                metrics.UpstreamLatency(candidate.Provider.Name, Stopwatch.GetElapsedTime(started));
                await RelayAnswerAsync(context, request, candidate, Pricing.BaselineCandidates(snapshot, organizationId, candidates), clientModel, response, started);
                return;
            }
        }

        var (code, message) = attempts == 0
            ? (StatusCodes.Status503ServiceUnavailable, $"Every provider of `{request.Model}` is resting or failing right now; retry shortly.")
            : timeouts == attempts
                ? (StatusCodes.Status504GatewayTimeout, $"No provider of `{request.Model}` answered in time.")
                : (StatusCodes.Status502BadGateway, $"No provider of `{request.Model}` could serve the request ({attempts} tried).");
        await WriteErrorAsync(context, code, message, "server_error", code == 504 ? "upstream_timeout" : "upstream_error");
    }

    private async Task RelayAnswerAsync(HttpContext context, UpstreamRequest request, RouteCandidate candidate,
        IReadOnlyList<RouteCandidate> candidates, byte[] clientModel, HttpResponseMessage response, long started)
    {
        var http = context.Response;
        http.StatusCode = (int)response.StatusCode;
        http.Headers[ProviderHeader] = candidate.Provider.Name;
        http.Headers[TierHeader] = candidate.Provider.IsFree ? "free" : "paid";
        var streamed = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        TokenUsage? tokens = null;
        var failed = false;
        var anthropic = candidate.Provider.Kind == ProviderKinds.Anthropic;
        if (anthropic && !streamed)
        {
            byte[] translated;
            TokenUsage known;
            try
            {
                (translated, known) = AnthropicRelay.TranslateAnswer(await response.Content.ReadAsByteArrayAsync(context.RequestAborted), request.Model, time);
            }
            catch (AnthropicProtocolException exception)
            {
                LogUnreadableAnswer(logger, exception, candidate.Provider.Name);
                http.Headers.Remove(ProviderHeader);
                http.Headers.Remove(TierHeader);
                await WriteErrorAsync(context, StatusCodes.Status502BadGateway, "The upstream provider's answer could not be read.", "server_error", "upstream_error");
                return;
            }
            tokens = known;
            SetCostHeaders(http, candidate, candidates, known);
            http.ContentType = "application/json";
            http.ContentLength = translated.Length;
            await http.Body.WriteAsync(translated, context.RequestAborted);
        }
        else if (anthropic)
        {
            http.ContentType = "text/event-stream";
            http.Headers.CacheControl = "no-cache";
            (var streamedUsage, failed) = await AnthropicRelay.RelayStreamAsync(context, response, request.Model, request.ClientWantsUsage, time);
            tokens = streamedUsage;
        }
        else if (!streamed)
        {
            var json = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            var output = new ArrayBufferWriter<byte>(json.Length + 16);
            if (!UpstreamAnswer.TryRewrite(json, clientModel, output, out tokens, out _))
            {
                output.Clear();
                output.Write(json);
            }
            if (tokens is { } known)
            {
                SetCostHeaders(http, candidate, candidates, known);
            }
            http.ContentType = "application/json";
            http.ContentLength = output.WrittenCount;
            await http.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
        }
        else
        {
            http.ContentType = "text/event-stream";
            http.Headers.CacheControl = "no-cache";
            (tokens, failed) = await RelayStreamAsync(context, request, clientModel, response);
        }
        var status = failed ? StatusCodes.Status502BadGateway : http.StatusCode;
        var used = tokens ?? new TokenUsage(0, 0);
        var (cost, saved) = usage.Record(context.User, context.Request.Headers[InferenceHeaders.Reservation], request.Model, candidate, candidates,
            used, Stopwatch.GetElapsedTime(started), status);
        freeTiers.AddTokens(candidate.Provider, used.Total);
        metrics.Answered(candidate.Provider.Name, candidate.Provider.IsFree ? "free" : "paid", status, used.PromptTokens, used.CompletionTokens, cost, saved);
    }

    private static void SetCostHeaders(HttpResponse http, RouteCandidate candidate, IReadOnlyList<RouteCandidate> candidates, TokenUsage known)
    {
        var cost = Pricing.Cost(known.PromptTokens, known.CompletionTokens, candidate.InputPricePer1M, candidate.OutputPricePer1M);
        var saved = Math.Max(0, Pricing.BaselineCost(candidates, known.PromptTokens, known.CompletionTokens) - cost);
        http.Headers[CostHeader] = Pricing.Format(cost);
        http.Headers[SavedHeader] = Pricing.Format(saved);
    }

    private async Task<(TokenUsage? Usage, bool Failed)> RelayStreamAsync(HttpContext context, UpstreamRequest request, byte[] clientModel, HttpResponseMessage response)
    {
        var writer = context.Response.BodyWriter;
        await using var upstream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        await using var reader = new SseEventReader(upstream);
        var rewritten = new ArrayBufferWriter<byte>(1024);
        TokenUsage? tokens = null;
        var sawDone = false;
        try
        {
            while (await reader.ReadAsync(context.RequestAborted))
            {
                var data = reader.Data;
                rewritten.Clear();
                if (data.SequenceEqual("[DONE]"u8))
                {
                    sawDone = true;
                    writer.Write(DoneEvent);
                }
                else if (UpstreamAnswer.TryRewrite(data, clientModel, rewritten, out var chunkUsage, out var usageOnly))
                {
                    tokens = chunkUsage ?? tokens;
                    if (usageOnly && !request.ClientWantsUsage)
                    {
                        continue; // asked for on the client's behalf: the cost needs it, the client did not want it
                    }
                    WriteEvent(writer, reader.EventType, rewritten.WrittenSpan);
                }
                else
                {
                    WriteEvent(writer, reader.EventType, data); // not a JSON object: passed on as it came
                }
                var flush = await writer.FlushAsync(context.RequestAborted);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or InvalidDataException && !context.RequestAborted.IsCancellationRequested)
        {
            LogStreamCut(logger, exception);
        }
        if (!sawDone && !context.RequestAborted.IsCancellationRequested)
        {
            // The upstream stopped mid-answer: tell the client in the stream's own dialect (the status is long sent).
            writer.Write("data: {\"error\":{\"message\":\"The upstream provider ended the stream before it was complete.\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_stream_cut\"}}\n\n"u8);
            await writer.FlushAsync(context.RequestAborted);
            return (tokens, true);
        }
        return (tokens, false);
    }

    private static void WriteEvent(PipeWriter writer, ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (!eventType.IsEmpty)
        {
            writer.Write("event: "u8);
            writer.Write(eventType);
            writer.Write("\n"u8);
        }
        writer.Write("data: "u8);
        writer.Write(data);
        writer.Write("\n\n"u8);
    }

    private static async Task RelayErrorAsync(HttpContext context, HttpResponseMessage response)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter is { } retry
            ? retry.Delta ?? (retry.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(request.ContentLength is { } length and < int.MaxValue ? (int)length : 4096);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message, string type, string? code) =>
        OpenAIErrorResults.Error(status, message, type, code: code).ExecuteAsync(context);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {Provider} failed ({Reason}); trying the next candidate.")]
    private static partial void LogFallback(ILogger logger, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} answered 2xx with a body that is not its API's.")]
    private static partial void LogUnreadableAnswer(ILogger logger, Exception exception, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An upstream stream ended mid-answer.")]
    private static partial void LogStreamCut(ILogger logger, Exception exception);
}
