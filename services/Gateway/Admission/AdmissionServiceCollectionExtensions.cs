using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.Gateway.Admission;

internal static class AdmissionServiceCollectionExtensions
{
    /// <summary>Admission of inference requests (section <see cref="AdmissionOptions.Section"/>).</summary>
    public static IHostApplicationBuilder AddInferenceAdmission(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>()
            .BindConfiguration(AdmissionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(services => new RedisAdmissionController(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddSingleton<LastKnownPolicies>();
        builder.Services.AddSingleton<AdmissionLeases>();
        builder.Services.AddSingleton<LocalAdmission>();
        builder.Services.AddSingleton<GatewayAdmission>();
        builder.Services.AddSingleton<InferenceAdmissionMiddleware>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// The proxy pipeline: admission first (it may answer by itself), then YARP's own steps, which a custom pipeline
    /// must name.
    /// </summary>
    public static void UseInferenceAdmission(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<InferenceAdmissionMiddleware>();
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
    }
}
