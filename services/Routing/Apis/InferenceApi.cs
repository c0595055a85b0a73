using System.Text.Json.Serialization;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Inference;
using Synaxis.ServiceKit.OpenAI;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Apis;

/// <summary>The OpenAI-compatible API (<c>/v1</c>), reached through the gateway, which has authenticated and admitted the caller.</summary>
public static class InferenceApi
{
    public static RouteGroupBuilder MapInferenceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Inference").RequireAuthorization(SynaxisPolicies.Member);
        // Plain request delegates: the proxy reads the body itself, so the minimal-API binder has nothing to do on the hot
        // path; and no validation filter (AddValidation wraps every endpoint in one, an async call and its context per
        // request, even where there is nothing to validate: seen in a trace of this path).
        api.MapPost("/chat/completions", context => Proxy(context).HandleAsync(context, "chat/completions")).DisableValidation();
        api.MapPost("/completions", context => Proxy(context).HandleAsync(context, "completions")).DisableValidation();
        api.MapPost("/embeddings", context => Proxy(context).HandleAsync(context, "embeddings")).DisableValidation();
        api.MapGet("/models", ListModels);
        api.MapGet("/models/{**id}", GetModel);
        return api;
    }

    private static InferenceProxy Proxy(HttpContext context) => context.RequestServices.GetRequiredService<InferenceProxy>();

    /// <summary>The organization's visible models and aliases, as OpenAI lists models.</summary>
    public static IResult ListModels(HttpContext context, CatalogCache catalog)
    {
        var organizationId = context.User.GetOrganizationId();
        var models = catalog.Current.VisibleModels(organizationId)
            .Select(m => Describe(m.Name, m.Example))
            .ToArray();
        return TypedResults.Json(new ModelList(models), InferenceJsonContext.Default.ModelList);
    }

    public static IResult GetModel(string id, HttpContext context, CatalogCache catalog)
    {
        var organizationId = context.User.GetOrganizationId();
        var candidates = catalog.Current.Resolve(organizationId, id);
        return candidates.Length == 0
            ? OpenAIErrorResults.Error(StatusCodes.Status404NotFound, $"The model `{id}` does not exist or you do not have access to it.",
                "invalid_request_error", code: "model_not_found")
            : TypedResults.Json(Describe(id, candidates[0]), InferenceJsonContext.Default.ModelInfo);
    }

    private static ModelInfo Describe(string name, RouteCandidate example) =>
        new(name, "model", 1_700_000_000, example.OrganizationId is null && example.Provider.OrganizationId is null ? "synaxis" : "organization");
}

public sealed record ModelInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

public sealed record ModelList(
    [property: JsonPropertyName("data")] IReadOnlyList<ModelInfo> Data)
{
    [JsonPropertyName("object")]
    public string Object => "list";
}

[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelInfo))]
internal sealed partial class InferenceJsonContext : JsonSerializerContext;
