using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// A stand-in for Anthropic's Messages API (<c>POST /v1/messages</c>), JSON and SSE, with fixed usage: 12 input
/// tokens, 7 output. It keeps the last request's headers and body for the tests to check the translation.
/// </summary>
public sealed class FakeAnthropic : IAsyncDisposable
{
    public const string ApiKey = "sk-ant-test-key";
    public const int InputTokens = 12;
    public const int OutputTokens = 7;

    private readonly WebApplication _app;

    private FakeAnthropic(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    public JsonElement? LastBody { get; private set; }

    public string? LastApiKey { get; private set; }

    public string? LastVersion { get; private set; }

    public static async Task<FakeAnthropic> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var fake = new FakeAnthropic(app);
        app.MapPost("/v1/messages", fake.MessagesAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task MessagesAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        LastBody = body.RootElement.Clone();
        LastApiKey = context.Request.Headers["x-api-key"];
        LastVersion = context.Request.Headers["anthropic-version"];
        if (LastApiKey != ApiKey)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""");
            return;
        }
        var model = body.RootElement.GetProperty("model").GetString();
        if (!body.RootElement.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$$"""
                {"id":"msg_01","type":"message","role":"assistant","model":"{{{model}}}",
                 "content":[{"type":"text","text":"Hello from Claude"}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":{{{InputTokens}}},"output_tokens":{{{OutputTokens}}}}}
                """);
            return;
        }
        context.Response.ContentType = "text/event-stream";
        string[] events =
        [
            Event("message_start", """{"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","model":""" + JsonSerializer.Serialize(model)
                + ""","content":[],"stop_reason":null,"usage":{"input_tokens":""" + InputTokens + ""","output_tokens":1}}}"""),
            Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"""),
            Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" from Claude"}}"""),
            Event("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            Event("message_delta", $$$"""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":{{{OutputTokens}}}}}"""),
            Event("message_stop", """{"type":"message_stop"}"""),
        ];
        foreach (var @event in events)
        {
            await context.Response.WriteAsync(@event, Encoding.UTF8);
            await context.Response.Body.FlushAsync();
        }
    }

    private static string Event(string name, string data) => $"event: {name}\ndata: {data}\n\n";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
