using Synaxis.ServiceKit.OpenAI;

namespace Synaxis.Routing.Apis;

public static class UnknownInferenceUrlApi
{
    /// <summary>
    /// Any <c>/v1</c> path Routing does not serve answers as OpenAI would, so SDKs surface a readable
    /// error instead of failing to parse a ProblemDetails body.
    /// </summary>
    public static IEndpointConventionBuilder MapUnknownInferenceUrlApi(this IEndpointRouteBuilder app) =>
        app.MapFallback("/v1/{**path}", UnknownUrl).ExcludeFromDescription();

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<OpenAIErrorResponse> UnknownUrl(HttpRequest request) =>
        OpenAIErrorResults.UnknownUrl(request);
}
