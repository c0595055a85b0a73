using System.Text;
using Synaxis.Routing.Upstream.Anthropic;
using static Synaxis.Routing.Tests.Anthropic.JsonAssert;

namespace Synaxis.Routing.Tests.Anthropic;

public sealed class AnthropicErrorTranslatorTests
{
    private static AnthropicTranslatedError Translate(string anthropicType, int status, string message = "Something happened") =>
        AnthropicErrorTranslator.Translate(
            Encoding.UTF8.GetBytes(Fill("""{"type":"error","error":{"type":"<<anthropicType>>","message":"<<message>>"},"request_id":"req_1"}""", ("anthropicType", anthropicType), ("message", message))),
            status);

    [Theory]
    [InlineData("invalid_request_error", 400, 400, "invalid_request_error", null)]
    [InlineData("authentication_error", 401, 401, "invalid_request_error", "invalid_api_key")]
    [InlineData("permission_error", 403, 403, "invalid_request_error", "permission_denied")]
    [InlineData("not_found_error", 404, 404, "invalid_request_error", "model_not_found")]
    [InlineData("request_too_large", 413, 413, "invalid_request_error", "request_too_large")]
    [InlineData("rate_limit_error", 429, 429, "requests", "rate_limit_exceeded")]
    [InlineData("api_error", 500, 500, "server_error", null)]
    [InlineData("overloaded_error", 529, 503, "server_error", null)]
    [InlineData("billing_error", 402, 503, "server_error", null)]
    [InlineData("timeout_error", 504, 504, "server_error", null)]
    [InlineData("some_future_error", 418, 418, "invalid_request_error", null)]
    [InlineData("some_future_error", 502, 502, "server_error", null)]
    public void Anthropic_error_types_map_to_openai_types_codes_and_statuses(
        string anthropicType, int upstreamStatus, int expectedStatus, string expectedType, string? expectedCode)
    {
        var result = Translate(anthropicType, upstreamStatus);
        Assert.Equal(expectedStatus, result.StatusCode);
        Assert.Equal(expectedType, result.Type);
        Assert.Equal(expectedCode, result.Code);
        Assert.Equal("Something happened", result.Message);
        var codeJson = expectedCode is null ? "null" : $"\"{expectedCode}\"";
        JsonAssert.Equal(Fill("""{"error":{"message":"Something happened","type":"<<expectedType>>","param":null,"code":<<codeJson>>}}""", ("expectedType", expectedType), ("codeJson", codeJson)), result.Body);
    }

    [Fact]
    public void The_message_is_carried_with_its_quotes_and_non_ascii()
    {
        var result = AnthropicErrorTranslator.Translate(
            """{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: \"abc\" is not ≤ 8192"}}"""u8, 400);
        Assert.Equal("max_tokens: \"abc\" is not ≤ 8192", result.Message);
        Assert.Equal(result.Message, JsonAssert.Parse(result.Body)["error"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("<html>Bad gateway</html>", 502, 502, "server_error", null)]
    [InlineData("", 429, 429, "requests", "rate_limit_exceeded")]
    [InlineData("{\"message\":\"no error object\"}", 401, 401, "invalid_request_error", "invalid_api_key")]
    [InlineData("{\"error\":\"a string\"}", 404, 404, "invalid_request_error", "model_not_found")]
    [InlineData("null", 529, 503, "server_error", null)]
    [InlineData("", 400, 400, "invalid_request_error", null)]
    public void A_body_that_is_not_anthropics_shape_is_worded_from_the_status(
        string body, int upstreamStatus, int expectedStatus, string expectedType, string? expectedCode)
    {
        var result = AnthropicErrorTranslator.Translate(Encoding.UTF8.GetBytes(body), upstreamStatus);
        Assert.Equal(expectedStatus, result.StatusCode);
        Assert.Equal(expectedType, result.Type);
        Assert.Equal(expectedCode, result.Code);
        Assert.Equal($"The upstream provider answered HTTP {upstreamStatus}.", result.Message);
    }

    [Fact]
    public void An_error_type_with_a_success_status_takes_the_types_usual_status()
    {
        Assert.Equal(429, Translate("rate_limit_error", 200).StatusCode);
        Assert.Equal(500, Translate("api_error", 200).StatusCode);
        Assert.Equal(502, AnthropicErrorTranslator.Translate("{}"u8, 200).StatusCode);
    }
}
