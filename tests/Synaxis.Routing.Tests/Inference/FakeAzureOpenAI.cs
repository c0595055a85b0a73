using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Synaxis.Routing.Tests.Inference;

/// <summary>
/// A stand-in for Azure OpenAI: <c>POST /openai/deployments/{deployment}/chat/completions?api-version=…</c> with the
/// <c>api-key</c> header, answering OpenAI's chat completion (its <c>model</c> is Azure's own model name).
/// </summary>
public sealed class FakeAzureOpenAI : IAsyncDisposable
{
    public const string ApiKey = "azure-test-key";
    public const string ApiVersion = "2024-10-21";

    private readonly WebApplication _app;

    private FakeAzureOpenAI(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    public string? LastDeployment { get; private set; }

    public static async Task<FakeAzureOpenAI> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var fake = new FakeAzureOpenAI(app);
        app.MapPost("/v1/openai/deployments/{deployment}/chat/completions", async (string deployment, HttpContext context) =>
        {
            fake.LastDeployment = deployment;
            if (context.Request.Headers["api-key"] != ApiKey || context.Request.Query["api-version"] != ApiVersion)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("""{"error":{"code":"401","message":"Access denied due to invalid subscription key."}}""");
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""
                {"id":"chatcmpl-az","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hello from Azure"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}
                """);
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
