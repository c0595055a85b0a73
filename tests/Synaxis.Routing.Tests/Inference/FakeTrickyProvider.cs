using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// An OpenAI-compatible provider that misbehaves in the ways an HTTP client must not follow: it answers chat
/// completions with a redirect (to <see cref="Target"/>, which counts what reaches it) or with a cookie, and records
/// every Cookie header it is sent.
/// </summary>
public sealed class FakeTrickyProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebApplication _target;
    private int _targetHits;

    private FakeTrickyProvider(WebApplication app, WebApplication target)
    {
        _app = app;
        _target = target;
    }

    public Uri BaseAddress => new(_app.Urls.First());

    /// <summary>Where the redirects point (it would answer 200 if anybody came).</summary>
    public Uri Target => new(_target.Urls.First());

    public int TargetHits => Volatile.Read(ref _targetHits);

    public int Calls => Volatile.Read(ref _calls);

    private int _calls;

    public List<string> CookiesReceived { get; } = [];

    public static async Task<FakeTrickyProvider> StartAsync(bool redirect)
    {
        var target = Slim();
        var app = Slim();
        var fake = new FakeTrickyProvider(app, target);
        target.MapPost("/{**path}", () =>
        {
            Interlocked.Increment(ref fake._targetHits);
            return Results.Ok();
        });
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            Interlocked.Increment(ref fake._calls);
            lock (fake.CookiesReceived)
            {
                fake.CookiesReceived.AddRange(context.Request.Headers.Cookie.Select(c => c ?? ""));
            }
            if (redirect)
            {
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = new Uri(fake.Target, "v1/chat/completions").ToString();
                return;
            }
            context.Response.Headers.SetCookie = "session=provider-secret; Path=/";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""
                {"id":"chatcmpl-tricky","object":"chat.completion","created":1700000000,"model":"upstream-tricky",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
                """);
        });
        await target.StartAsync();
        await app.StartAsync();
        return fake;
    }

    private static WebApplication Slim()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _target.DisposeAsync();
    }
}
