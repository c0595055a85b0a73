using System.Net.Http.Headers;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Inference;

/// <summary>Builds the HTTP request one upstream expects for an OpenAI-shaped call (OpenAI-compatible and Azure OpenAI).</summary>
internal static class UpstreamCall
{
    public static HttpRequestMessage Create(RouteCandidate candidate, string operation, byte[] body, bool stream)
    {
        var provider = candidate.Provider;
        Uri uri;
        var request = new HttpRequestMessage(HttpMethod.Post, (Uri?)null);
        if (provider.Kind == ProviderKinds.AzureOpenAI)
        {
            // https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=…
            uri = new Uri(provider.BaseUri,
                $"openai/deployments/{Uri.EscapeDataString(candidate.UpstreamModel)}/{operation}?api-version={Uri.EscapeDataString(provider.ApiVersion ?? "2024-10-21")}");
            if (provider.ApiKey is { } key)
            {
                request.Headers.TryAddWithoutValidation("api-key", key);
            }
        }
        else
        {
            uri = new Uri(provider.BaseUri, operation);
            if (provider.ApiKey is { } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }
        request.RequestUri = uri;
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "text/event-stream" : "application/json"));
        return request;
    }
}
