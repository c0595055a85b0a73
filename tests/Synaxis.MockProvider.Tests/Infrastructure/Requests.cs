using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Synaxis.MockProvider.Tests.Infrastructure;

public static class Requests
{
    public static HttpRequestMessage Post(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static string ChatBody(string userText = "Hello mock, how are you?", bool stream = false, bool includeUsage = false, int? maxTokens = null, string model = "mock-chat")
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["messages"] = new object[]
            {
                new { role = "system", content = "You are a test." },
                new { role = "user", content = userText },
            },
        };
        if (stream)
        {
            body["stream"] = true;
        }

        if (includeUsage)
        {
            body["stream_options"] = new { include_usage = true };
        }

        if (maxTokens is not null)
        {
            body["max_tokens"] = maxTokens;
        }

        return JsonSerializer.Serialize(body);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts OpenAI's error envelope and returns its <c>error</c> object.</summary>
    public static async Task<JsonElement> ReadErrorAsync(this HttpResponseMessage response, string expectedType)
    {
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        var error = (await response.ReadJsonAsync()).GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(expectedType, error.GetProperty("type").GetString());
        Assert.True(error.TryGetProperty("param", out _), "the envelope always carries 'param'");
        Assert.True(error.TryGetProperty("code", out _), "the envelope always carries 'code'");
        return error;
    }
}
