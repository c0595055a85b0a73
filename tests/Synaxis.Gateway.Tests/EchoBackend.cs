using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Synaxis.Gateway.Tests;

/// <summary>Stands in for every service: answers any request with what it received (method, path, query, headers).</summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoBackend(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    public static async Task<EchoBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.Run(async context =>
        {
            var echo = new EchoedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? "").ToArray()));
            context.Response.ContentType = "application/json";
            // A service that sets its own request id must not win over the gateway's.
            context.Response.Headers["x-request-id"] = "backend-made-this-up";
            await JsonSerializer.SerializeAsync(context.Response.Body, echo, EchoedRequest.JsonOptions);
        });
        await app.StartAsync();
        return new EchoBackend(app);
    }

    /// <summary>
    /// Stops gracefully before disposing: disposing a running Kestrel aborts the gateway's pooled keep-alive
    /// connections mid-flight, a teardown race seen as an ObjectDisposedException in fixture cleanup under CI load.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
    }
}

public sealed record EchoedRequest(string Method, string Path, string Query, Dictionary<string, string[]> Headers)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public string[] Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var values) ? values : [];

    public bool HasHeaderStartingWith(string prefix) =>
        Headers.Keys.Any(key => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
}
