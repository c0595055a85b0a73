using System.Net;

namespace Synaxis.Keys.Tests;

[Collection(KeysServiceCollection.Name)]
public sealed class ServiceTests(KeysServiceFixture fixture)
{
    private readonly HttpClient _http = fixture.Service.CreateRealClient();

    [Fact]
    public async Task The_openapi_document_describes_the_keys_api_but_not_the_internal_endpoint()
    {
        using var response = await _http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadAsStringAsync();
        Assert.Contains("/api/keys/{id}/rotate", document);
        Assert.DoesNotContain("/internal/keys/verify", document);
    }

    [Fact]
    public async Task Health_answers_without_an_identity()
    {
        using var response = await _http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
