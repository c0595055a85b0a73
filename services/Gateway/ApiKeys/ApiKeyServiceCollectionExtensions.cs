using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Synaxis.Gateway.ApiKeys;

internal static class ApiKeyServiceCollectionExtensions
{
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder authentication) =>
        authentication.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(
            ApiKeyDefaults.AuthenticationScheme, displayName: "Synaxis API key", configureOptions: null);

    /// <summary>
    /// The verification pipeline behind the API-key scheme: in-process cache, Redis verdicts, failure limiter, the
    /// Keys service client, the eviction subscription and the last-used flusher. Needs the <c>redis</c> client.
    /// </summary>
    public static IHostApplicationBuilder AddApiKeyVerification(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<LastUsedRecorder>();
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<IApiKeyResolver, ApiKeyResolver>();
        services.AddSingleton<ApiKeyRedisStore>();
        services.AddSingleton<FailureLimiter>();
        services.AddSingleton<KeysServiceClient>();

        // Service discovery (from the defaults) resolves http://keys; the standard resilience handler is removed:
        // its retries would repeat a bcrypt while the caller waits, and its 30 s budget is not a fast timeout.
        // RemoveAllResilienceHandlers is marked experimental (EXTEXP0001) but is the supported way to undo
        // ConfigureHttpClientDefaults for one client; if it changes, the build says so here.
#pragma warning disable EXTEXP0001
        services.AddHttpClient(KeysServiceClient.HttpClientName, (provider, client) =>
            {
                var options = provider.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
                client.BaseAddress = options.KeysServiceAddress;
                client.Timeout = options.VerifyTimeout;
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        services.AddHostedService<KeyEvictionSubscriber>();
        services.AddHostedService<LastUsedFlusher>();
        return builder;
    }
}
