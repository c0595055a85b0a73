using System.Security.Claims;
using Microsoft.Extensions.Options;
using Synaxis.Gateway.Security;
using Synaxis.ServiceKit.Admission;
using Synaxis.ServiceKit.Security;
using Yarp.ReverseProxy.Model;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// Step 2 of the hot path, in the proxy pipeline of routes whose metadata says <c>Synaxis.Admission: inference</c>:
/// for POST <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c> it reads the body once,
/// admits the caller at every level (key, user, each group, organization), answers 429 / 503 itself when refused,
/// and otherwise forwards with the reservation and puts the tightest limits' <c>x-ratelimit-*</c> on the answer.
/// </summary>
/// <remarks>
/// An <see cref="IMiddleware"/> (built on first request, not with the pipeline): Redis is resolved after the host has
/// validated its options, so a bad signing key still stops startup with its own exception.
/// </remarks>
internal sealed partial class InferenceAdmissionMiddleware(
    GatewayAdmission admission,
    IOptions<AdmissionOptions> options,
    ILogger<InferenceAdmissionMiddleware> logger) : IMiddleware
{
    public const string MetadataKey = "Synaxis.Admission";
    public const string MetadataValue = "inference";

    /// <summary>Marks answers a gateway admitted with its local limiter while Redis was down.</summary>
    public const string LocalAdmissionHeader = "x-synaxis-ratelimit-mode";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var settings = options.Value;
        if (!settings.Enabled
            || !HttpMethods.IsPost(context.Request.Method)
            || !IsAdmissionRoute(context)
            || InferenceEndpoints.Kind(context.Request.Path) is not { } kind
            || context.User.FindOrganizationId() is not { } organizationId)
        {
            await next(context);
            return;
        }

        var body = await InferenceBody.ReadAsync(context.Request, settings.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            await GatewayProblems.WriteInferenceErrorAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than {settings.MaxBodyBytes} bytes.", "invalid_request_error", "request_too_large");
            return;
        }
        body.ReplaceRequestBody(context);
        if (InferenceRequest.TryRead(body.Span, out var error) is not { } request)
        {
            await GatewayProblems.WriteInferenceErrorAsync(context, StatusCodes.Status400BadRequest, error!, "invalid_request_error", "invalid_request_error");
            return;
        }
        if (!ModelAccess.IsAllowed(context, request.Model))
        {
            await GatewayProblems.WriteForbiddenAsync(context, $"This API key may not use the model '{request.Model}'.");
            return;
        }
        if (Levels(context.User, organizationId, settings.MaxGroups) is not { } levels)
        {
            await GatewayProblems.WriteInferenceErrorAsync(context, StatusCodes.Status400BadRequest,
                $"You belong to more than {settings.MaxGroups} groups; use an API key scoped to one group for inference.",
                "invalid_request_error", "too_many_groups");
            return;
        }

        var decision = await admission.AdmitAsync(IdText(organizationId), levels, request.EstimateTokens(kind == InferenceKind.Completion));
        if (decision.Local)
        {
            context.Response.Headers[LocalAdmissionHeader] = "local";
        }
        switch (decision.Outcome)
        {
            case AdmissionOutcome.Unavailable:
                await GatewayProblems.WriteUnavailableAsync(context, decision.Reason!);
                return;
            case AdmissionOutcome.Refused:
                var result = decision.Result!;
                Apply(context.Response.Headers, result);
                var refusal = RateLimitHeaders.Refusal(result)!;
                LogRefused(logger, result.RefusedLevel, result.RefusedKind);
                await GatewayProblems.WriteInferenceErrorAsync(context, refusal.StatusCode, refusal.Message, refusal.Type, refusal.Code);
                return;
        }

        var admitted = decision.Result!;
        context.Features.Set(new AdmissionFeature(admitted.Reservation));
        // Set when the answer starts, after YARP has copied the upstream's headers: ours win over any the upstream sent.
        context.Response.OnStarting(static state =>
        {
            var (response, result) = ((HttpResponse, AdmissionResult))state;
            Apply(response.Headers, result);
            return Task.CompletedTask;
        }, (context.Response, admitted));
        await next(context);
    }

    /// <summary>The ids' text, made once per id instead of once per request.</summary>
    private static readonly BoundedCache<Guid, string> IdTexts = new(100_000);

    private static string IdText(Guid id) => IdTexts.GetOrAdd(id, static id => id.ToString());

    private static bool IsAdmissionRoute(HttpContext context) =>
        context.Features.Get<IReverseProxyFeature>()?.Route.Config.Metadata is { } metadata
        && metadata.TryGetValue(MetadataKey, out var value)
        && value == MetadataValue;

    private static void Apply(IHeaderDictionary headers, AdmissionResult result)
    {
        foreach (var (name, value) in RateLimitHeaders.For(result))
        {
            headers[name] = value;
        }
    }

    /// <summary>Key (if any), user, each group, organization; null when the caller has more groups than allowed.</summary>
    internal static AdmissionLevel[]? Levels(ClaimsPrincipal user, Guid organizationId, int maxGroups)
    {
        var groups = user.GetGroupIds();
        if (groups.Count > maxGroups)
        {
            return null;
        }
        var keyId = user.GetKeyId();
        var userId = user.GetUserId();
        var levels = new AdmissionLevel[(keyId is null ? 0 : 1) + (userId is null ? 0 : 1) + groups.Count + 1];
        var i = 0;
        if (keyId is { } key)
        {
            levels[i++] = new AdmissionLevel(LimitLevel.Key, IdText(key));
        }
        if (userId is { } id)
        {
            levels[i++] = new AdmissionLevel(LimitLevel.User, IdText(id));
        }
        foreach (var group in groups)
        {
            levels[i++] = new AdmissionLevel(LimitLevel.Group, IdText(group));
        }
        levels[i] = new AdmissionLevel(LimitLevel.Organization, IdText(organizationId));
        return levels;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Inference refused at the {Level} level ({Kind}).")]
    private static partial void LogRefused(ILogger logger, LimitLevel? level, LimitKind? kind);
}

/// <summary>The admitted request's reservation, for the proxy transform to forward to Routing.</summary>
internal sealed record AdmissionFeature(AdmissionReservation? Reservation);

internal enum InferenceKind
{
    Completion,
    Embedding,
}

internal static class InferenceEndpoints
{
    /// <summary>The admitted endpoints; null for any other path (models, unknown URLs) which is forwarded without admission.</summary>
    /// <remarks>A trailing slash is ignored, as the services' routing ignores it: it must not be a way around admission.</remarks>
    public static InferenceKind? Kind(PathString path)
    {
        var value = path.Value.AsSpan().TrimEnd('/');
        return value.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase) || value.Equals("/v1/completions", StringComparison.OrdinalIgnoreCase)
            ? InferenceKind.Completion
            : value.Equals("/v1/embeddings", StringComparison.OrdinalIgnoreCase) ? InferenceKind.Embedding : null;
    }
}
