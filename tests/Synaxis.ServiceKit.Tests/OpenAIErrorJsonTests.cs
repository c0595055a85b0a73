using System.Text.Json;
using Synaxis.ServiceKit.OpenAI;

namespace Synaxis.ServiceKit.Tests;

public sealed class OpenAIErrorJsonTests
{
    [Fact]
    public void The_envelope_is_snake_case_keeps_nulls_and_writes_apostrophes_as_they_are()
    {
        var json = JsonSerializer.Serialize(
            new OpenAIErrorResponse(new OpenAIError("You didn't provide an API key.", "invalid_request_error", Code: "invalid_api_key")),
            OpenAIJsonContext.Readable.OpenAIErrorResponse);

        Assert.Equal(
            """{"error":{"message":"You didn't provide an API key.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""",
            json);
    }
}
