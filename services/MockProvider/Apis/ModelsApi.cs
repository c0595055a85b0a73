using Microsoft.AspNetCore.Http.HttpResults;
using Synaxis.MockProvider.Models;
using Synaxis.MockProvider.Serialization;

namespace Synaxis.MockProvider.Apis;

public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/models", ListModels).WithName("ListModels");
        // Catch-all: ids of OpenAI-compatible providers often contain slashes ("org/model").
        v1.MapGet("/models/{**id}", GetModel).WithName("GetModel");
        return v1;
    }

    public static JsonHttpResult<ModelList> ListModels(ModelCatalog models) =>
        TypedResults.Json(models.List(), MockJson.Context.ModelList);

    public static Results<JsonHttpResult<ModelInfo>, JsonHttpResult<ErrorEnvelope>> GetModel(string id, ModelCatalog models) =>
        models.Find(id) is { } model
            ? TypedResults.Json(model, MockJson.Context.ModelInfo)
            : OpenAiErrors.ModelNotFound(id);
}
