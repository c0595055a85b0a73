using System.ClientModel;

namespace Synaxis.Routing.Tests.Inference;

internal static class ClientResultHeaders
{
    /// <summary>A header of the answer behind an OpenAI client result; fails the test when it is absent.</summary>
    public static string Header(this ClientResult result, string name) =>
        result.GetRawResponse().Headers.TryGetValue(name, out var value) ? value! : throw new Xunit.Sdk.XunitException($"no {name} header");
}
