using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Synaxis.MockProvider.Apis;
using Synaxis.MockProvider.Streaming;

namespace Synaxis.MockProvider.Faults;

/// <summary>
/// Applies the request's <see cref="FaultPlan"/> before the endpoint runs: latency first, then the
/// fault. Runs ahead of body parsing, as a real provider's rate limiter or outage would.
/// </summary>
public sealed class FaultInjectionFilter(IOptionsMonitor<MockProviderOptions> options, FaultDice dice) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var plan = FaultPlan.Resolve(http.Request.Headers, options.CurrentValue.Faults, dice, out var headerError);
        if (headerError is not null)
        {
            return headerError;
        }

        try
        {
            if (plan.LatencyMs > 0)
            {
                await Task.Delay(plan.LatencyMs, http.RequestAborted);
            }

            switch (plan.Fault)
            {
                case FaultKind.RateLimit:
                    http.Response.Headers.RetryAfter = plan.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    return OpenAiErrors.RateLimited();
                case FaultKind.ServerError:
                    return OpenAiErrors.ServerError();
                case FaultKind.Hang:
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                    return Results.Empty;
            }

            if (!ReferenceEquals(plan, FaultPlan.None))
            {
                http.Features.Set(plan);
            }

            var result = await next(context);
            if (plan.Fault == FaultKind.CutStream && !IsStream(result))
            {
                // Nothing to cut in a single JSON answer: drop the connection without one.
                http.Abort();
                return Results.Empty;
            }

            return result;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client gave up during injected latency or a hang: there is no one left to answer.
            return Results.Empty;
        }
    }

    // Typed handlers return a Results<…> union that wraps the actual result.
    private static bool IsStream(object? result) =>
        result is SseResult or INestedHttpResult { Result: SseResult };
}
