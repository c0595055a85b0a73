using Microsoft.Extensions.Options;
using Synaxis.MockProvider.Models;

namespace Synaxis.MockProvider;

/// <summary>The model ids the mock advertises (<c>MockProvider:Models</c>) and, in strict mode, accepts.</summary>
public sealed class ModelCatalog(IOptionsMonitor<MockProviderOptions> options)
{
    /// <summary>A fixed creation time keeps <c>/v1/models</c> answers byte-for-byte stable.</summary>
    public const long CreatedAt = 1_700_000_000;

    public const string Owner = "synaxis-mock";

    public ModelList List()
    {
        var ids = options.CurrentValue.EffectiveModels;
        var models = new ModelInfo[ids.Count];
        for (var i = 0; i < models.Length; i++)
        {
            models[i] = new ModelInfo(ids[i], CreatedAt, Owner);
        }

        return new ModelList(models);
    }

    public ModelInfo? Find(string id)
    {
        foreach (var known in options.CurrentValue.EffectiveModels)
        {
            if (string.Equals(known, id, StringComparison.Ordinal))
            {
                return new ModelInfo(known, CreatedAt, Owner);
            }
        }

        return null;
    }

    /// <summary>Any model name is served unless <see cref="MockProviderOptions.StrictModels"/> is on.</summary>
    public bool Serves(string model) => !options.CurrentValue.StrictModels || Find(model) is not null;
}
