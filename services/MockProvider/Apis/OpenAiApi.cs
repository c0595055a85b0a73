using Synaxis.MockProvider.Faults;
using Synaxis.MockProvider.Security;

namespace Synaxis.MockProvider.Apis;

/// <summary>The OpenAI-compatible surface under <c>/v1</c>: key check, then fault injection, then the endpoints.</summary>
public static class OpenAiApi
{
    public static RouteGroupBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1")
            .AddEndpointFilter<ApiKeyFilter>()
            .AddEndpointFilter<FaultInjectionFilter>();

        v1.MapChatCompletionsApi()
            .MapCompletionsApi()
            .MapEmbeddingsApi()
            .MapModelsApi();

        // OpenAI answers unknown paths and wrong methods with its envelope; clients parse that, not an empty 404.
        v1.MapFallback("{**path}", (HttpRequest request) => OpenAiErrors.UnknownUrl(request.Method, request.Path));

        return v1;
    }
}
