using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Synaxis.LoadGen;

/// <summary>
/// The bare chain Synaxis is compared with: a YARP reverse proxy (the gateway's shape, with nothing in its pipeline)
/// in front of a minimal Kestrel app that forwards the body with a pooled HttpClient (Routing's shape, with no catalog,
/// ranking, rewriting or accounting). What Synaxis adds over this pair is the cost of its own work.
/// </summary>
internal static class BareChain
{
    public static async Task RunForwarderAsync(string listen, Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(listen);
        var app = builder.Build();

        using var client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            MaxConnectionsPerServer = 1024,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        app.MapGet("/alive", () => "alive");
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            var target = new Uri(upstream, context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString);
            using var request = new HttpRequestMessage(HttpMethod.Post, target);
            var content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } contentType)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            content.Headers.ContentLength = context.Request.ContentLength;
            request.Content = content;
            if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", (IEnumerable<string?>)authorization);
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } answerType)
            {
                context.Response.ContentType = answerType.ToString();
            }
            context.Response.ContentLength = response.Content.Headers.ContentLength;
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        });

        Console.WriteLine($"bare forwarder on {listen} → {upstream}");
        await app.RunAsync();
    }

    public static async Task RunProxyAsync(string listen, Uri upstream)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(listen);
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "/{**catch-all}" } }],
            [
                new ClusterConfig
                {
                    ClusterId = "upstream",
                    Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = upstream.ToString() } },
                },
            ]);
        var app = builder.Build();
        app.MapReverseProxy();

        Console.WriteLine($"bare YARP proxy on {listen} → {upstream}");
        await app.RunAsync();
    }
}
