using Synaxis.ServiceKit.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Synaxis.Keys.Apis;

/// <summary>Answers specific to the Keys API; the general ones are <see cref="ServiceKit.Http.Problems"/>.</summary>
internal static class KeyProblems
{
    public static ProblemHttpResult KeyNotFound() => ServiceKit.Http.Problems.NotFound("The API key");
}
