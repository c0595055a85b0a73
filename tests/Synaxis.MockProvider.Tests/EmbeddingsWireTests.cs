using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

[Collection(MockProviderCollection.Name)]
public sealed class EmbeddingsWireTests(MockProviderFixture fixture)
{
    [Fact]
    public async Task Float_answer_is_an_embedding_list_with_the_default_dimension()
    {
        var body = await EmbedAsync("""{"model":"mock-embedding","input":"hello world"}""");

        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal("mock-embedding", body.GetProperty("model").GetString());
        var item = Assert.Single(body.GetProperty("data").EnumerateArray());
        Assert.Equal("embedding", item.GetProperty("object").GetString());
        Assert.Equal(0, item.GetProperty("index").GetInt32());
        Assert.Equal(1536, item.GetProperty("embedding").GetArrayLength());
        Assert.Equal(3, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Base64_encodes_the_same_vector_as_little_endian_float32()
    {
        var asFloats = await EmbedAsync("""{"model":"m","input":"same text","dimensions":32}""");
        var asBase64 = await EmbedAsync("""{"model":"m","input":"same text","dimensions":32,"encoding_format":"base64"}""");

        var floats = asFloats.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var decoded = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(asBase64.GetProperty("data")[0].GetProperty("embedding").GetString()!)).ToArray();
        Assert.Equal(floats, decoded);
    }

    [Fact]
    public async Task Fewer_dimensions_are_the_truncated_and_renormalized_full_vector()
    {
        var full = Vector(await EmbedAsync("""{"model":"m","input":"matryoshka","dimensions":256}"""));
        var small = Vector(await EmbedAsync("""{"model":"m","input":"matryoshka","dimensions":8}"""));

        var prefixNorm = Math.Sqrt(full.Take(8).Sum(x => (double)x * x));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(full[i] / prefixNorm, small[i], 5);
        }
    }

    [Theory]
    [InlineData("""{"model":"m","input":[1,2,3]}""", "input")]
    [InlineData("""{"model":"m","input":[[1,2],[3]]}""", "input")]
    [InlineData("""{"model":"m","input":[]}""", "input")]
    [InlineData("""{"model":"m","input":""}""", "input")]
    [InlineData("""{"model":"m"}""", "input")]
    [InlineData("""{"input":"x"}""", "model")]
    [InlineData("""{"model":"m","input":"x","dimensions":0}""", "dimensions")]
    [InlineData("""{"model":"m","input":"x","encoding_format":"int8"}""", "encoding_format")]
    public async Task Invalid_requests_are_a_400_naming_the_parameter(string body, string param)
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/embeddings", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync("invalid_request_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    private async Task<JsonElement> EmbedAsync(string body)
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/embeddings", body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static float[] Vector(JsonElement list) =>
        list.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
}
