using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// An OpenAI-compatible upstream on loopback that counts every request it receives, whatever its path: what an
/// internal service reachable from Routing would see. It answers chat completions and the models list.
/// </summary>
public sealed class CountingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private CountingUpstream(WebApplication app) => _app = app;

    /// <summary>The server's root (http://127.0.0.1:port/); its OpenAI API is under <c>v1/</c>.</summary>
    public Uri BaseAddress => new(_app.Urls.First() + "/");

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<CountingUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var upstream = new CountingUpstream(app);
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref upstream._requests);
            return next(context);
        });
        app.MapGet("/v1/models", () => Results.Text("""{"object":"list","data":[]}""", "application/json"));
        app.MapPost("/v1/chat/completions", () => Results.Text("""
            {"id":"chatcmpl-internal","object":"chat.completion","created":1700000000,"model":"upstream-model",
             "choices":[{"index":0,"message":{"role":"assistant","content":"internal secret"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}
            """, "application/json"));
        await app.StartAsync();
        return upstream;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
