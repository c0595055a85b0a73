using Synaxis.Gateway.ApiKeys;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// A key's <c>allowedModels</c>, enforced where the model is read (here, once): null allows every model, a list
/// only the names on it, compared exactly as the client sends them (an alias is its own name). Access tokens carry
/// no model restriction.
/// </summary>
internal static class ModelAccess
{
    public static bool IsAllowed(HttpContext context, string model) =>
        context.Features.Get<CachedApiKey>()?.Key.AllowedModels is not { } allowed || Contains(allowed, model);

    private static bool Contains(IReadOnlyList<string> allowed, string model)
    {
        for (var i = 0; i < allowed.Count; i++)
        {
            if (string.Equals(allowed[i], model, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
