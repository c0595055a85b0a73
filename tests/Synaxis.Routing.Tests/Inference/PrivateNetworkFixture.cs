using System.Net.Http.Json;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// Routing as production runs it: <c>Routing:CustomProviders:AllowPrivateNetworks</c> off (the tests' Development
/// environment would turn it on). Providers are written straight to the database, as rows that predate the admin API's
/// check (or DNS names that resolve privately).
/// </summary>
public sealed class PrivateNetworkFixture() : InferenceFixture(allowPrivateNetworks: false)
{
    /// <summary>A chat completion as the gateway forwards it (signed identity), answered as it comes.</summary>
    public async Task<HttpResponseMessage> ChatAsync(Guid organizationId, string model)
    {
        using var http = Routing.CreateRealClient();
        using var request = Request(HttpMethod.Post, "v1/chat/completions", organizationId,
            JsonContent.Create(new { model, messages = new[] { new { role = "user", content = "hi" } } }));
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
