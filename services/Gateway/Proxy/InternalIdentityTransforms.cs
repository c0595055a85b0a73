using Microsoft.Net.Http.Headers;
using Synaxis.Gateway.ApiKeys;
using Synaxis.Gateway.Security;
using Synaxis.ServiceKit.Security;
using Yarp.ReverseProxy.Transforms;

namespace Synaxis.Gateway.Proxy;

/// <summary>
/// What every proxied request carries to a service: no client-sent internal header ever, no API key ever, the
/// request id, and, for an authenticated caller (access token or API key), a freshly signed
/// <see cref="InternalIdentity.HeaderName"/> in place of the credential the gateway already checked.
/// </summary>
internal static class InternalIdentityTransforms
{
    public static IReverseProxyBuilder AddInternalIdentityTransforms(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(context =>
        {
            // Routes are built while the app is mapped, before startup validation has checked the key: resolve on first use,
            // so a bad key stops the host with its SecurityConfigurationException rather than a proxy configuration error.
            var signer = new Lazy<InternalIdentitySigner>(context.Services.GetRequiredService<InternalIdentitySigner>);
            context.AddRequestTransform(transform => Apply(transform, signer.Value));
        });

    private static ValueTask Apply(RequestTransformContext transform, InternalIdentitySigner signer)
    {
        var request = transform.HttpContext.Request;
        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith(InternalIdentity.InternalHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                RequestTransform.RemoveHeader(transform, header.Key);
            }
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
        if (user.Identity?.IsAuthenticated == true && signer.TrySign(user, requestId, out var identity))
        {
            RequestTransform.AddHeader(transform, InternalIdentity.HeaderName, identity);

            // The services trust the signed identity alone; the caller's token stays at the edge, out of their logs.
            RequestTransform.RemoveHeader(transform, HeaderNames.Authorization);
            if (request.QueryString.HasValue && request.Query.ContainsKey(AccessTokenEvents.AccessTokenQueryParameter))
            {
                transform.Query.Collection.Remove(AccessTokenEvents.AccessTokenQueryParameter);
            }
        }
        else if (apiKeyPresented)
        {
            RequestTransform.RemoveHeader(transform, HeaderNames.Authorization);
        }
        return ValueTask.CompletedTask;
    }
}
