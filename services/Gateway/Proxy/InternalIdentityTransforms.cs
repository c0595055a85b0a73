using Microsoft.Net.Http.Headers;
using Synaxis.Gateway.Admission;
using Synaxis.Gateway.ApiKeys;
using Synaxis.Gateway.Security;
using Synaxis.ServiceKit.Inference;
using Synaxis.ServiceKit.Security;
using Yarp.ReverseProxy.Transforms;

namespace Synaxis.Gateway.Proxy;

/// <summary>
/// What every proxied request carries to a service: no client-sent internal header ever, no API key ever, the
/// request id (<c>x-request-id</c>), and, for an authenticated caller (access token or API key), a signed
/// <see cref="InternalIdentity.HeaderName"/> naming the caller in place of the credential the gateway already checked.
/// </summary>
internal static partial class InternalIdentityTransforms
{
    public static IReverseProxyBuilder AddInternalIdentityTransforms(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(context =>
        {
            // Routes are built while the app is mapped, before startup validation has checked the key: resolve on first use,
            // so a bad key stops the host with its SecurityConfigurationException rather than a proxy configuration error.
            var signer = new Lazy<InternalIdentitySigner>(context.Services.GetRequiredService<InternalIdentitySigner>);
            var logger = new Lazy<ILogger>(() => context.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InternalIdentityTransforms)));
            context.AddRequestTransform(transform => Apply(transform, signer.Value, logger));
        });

    private static ValueTask Apply(RequestTransformContext transform, InternalIdentitySigner signer, Lazy<ILogger> logger)
    {
        var request = transform.HttpContext.Request;
        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith(InternalIdentity.InternalHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                RequestTransform.RemoveHeader(transform, header.Key);
            }
        }

        if (transform.HttpContext.Features.Get<AdmissionFeature>()?.Reservation is { } reservation)
        {
            // After the strip above: only the gateway's admission can name a reservation to Routing.
            RequestTransform.AddHeader(transform, InferenceHeaders.Reservation, reservation.ReservationId);
        }

        var requestId = transform.HttpContext.TraceIdentifier;
        RequestTransform.RemoveHeader(transform, RequestIds.HeaderName);
        RequestTransform.AddHeader(transform, RequestIds.HeaderName, requestId);

        // An API key never travels past the edge, whether or not it authenticated this request.
        var apiKeyPresented = ApiKeyCredentials.IsPresented(request);
        if (apiKeyPresented)
        {
            RequestTransform.RemoveHeader(transform, ApiKeyCredentials.HeaderName);
        }

        var user = transform.HttpContext.User;
        string? identity = null;
        try
        {
            if (user.Identity?.IsAuthenticated == true)
            {
                // An API key's caller is fixed: its cached record keeps one signed value for a while. Any other caller
                // (an access token) is signed from its claims.
                identity = user.Identity.AuthenticationType == ApiKeyDefaults.AuthenticationScheme &&
                    transform.HttpContext.Features.Get<CachedApiKey>() is { } key
                        ? key.SignedIdentity(signer)
                        : signer.TrySign(user, out var signed) ? signed : null;
            }
        }
        catch (InvalidOperationException exception)
        {
            // The signer's one refusal of a valid caller: the identity would exceed the header size every service
            // accepts (a token with ~150+ groups). The caller's request, not the gateway, is at fault: answer 431
            // (a response written here stops YARP from proxying) instead of letting it become a 500.
            LogIdentityTooLarge(logger.Value, exception);
            return new ValueTask(GatewayProblems.WriteIdentityTooLargeAsync(transform.HttpContext,
                "Your identity is too large to forward to the Synaxis services (too many groups): " +
                "use a token or API key scoped to fewer groups."));
        }
        if (identity is not null)
        {
            RequestTransform.AddHeader(transform, InternalIdentity.HeaderName, identity);

            // The services trust the signed identity alone; the caller's token stays at the edge, out of their logs.
            RequestTransform.RemoveHeader(transform, HeaderNames.Authorization);
        }
        else if (apiKeyPresented)
        {
            RequestTransform.RemoveHeader(transform, HeaderNames.Authorization);
        }
        RemoveQueryAccessToken(transform);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A hub client's access token (SignalR puts it in the query string, browsers cannot set a WebSocket's headers) never
    /// travels past the edge: the query string lands in every service's request logs. It is removed on every route and
    /// whether or not it authenticated the request; the signed identity replaces it. That identity is checked when each
    /// request arrives: SignalR's negotiate POST and its WebSocket GET are two requests, each signed afresh, and an open
    /// WebSocket stays the caller it connected as until it closes.
    /// </summary>
    private static void RemoveQueryAccessToken(RequestTransformContext transform)
    {
        var request = transform.HttpContext.Request;
        if (request.QueryString.HasValue && request.Query.ContainsKey(AccessTokenEvents.AccessTokenQueryParameter))
        {
            transform.Query.Collection.Remove(AccessTokenEvents.AccessTokenQueryParameter);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The caller's internal identity is too large to sign; answering 431.")]
    private static partial void LogIdentityTooLarge(ILogger logger, Exception exception);
}
