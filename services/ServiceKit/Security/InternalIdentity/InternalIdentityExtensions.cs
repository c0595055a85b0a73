using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Synaxis.ServiceKit.Security;

public static class InternalIdentityExtensions
{
    /// <summary>
    /// Services: authenticate every request by the gateway's signed identity (default scheme
    /// <see cref="InternalIdentityDefaults.AuthenticationScheme"/>), register the
    /// <see cref="SynaxisPolicies"/>, and answer 401/403 as ProblemDetails. The key
    /// (<c>InternalIdentity:SigningKey</c>) is checked at startup.
    /// </summary>
    public static TBuilder AddInternalIdentity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (builder.Services.Any(service => service.ServiceType == typeof(InternalIdentityAuthenticationMarker)))
        {
            return builder;
        }
        builder.Services.AddSingleton<InternalIdentityAuthenticationMarker>();

        builder.AddInternalIdentitySigning();
        builder.Services.AddProblemDetails();
        builder.Services
            .AddAuthentication(InternalIdentityDefaults.AuthenticationScheme)
            .AddScheme<InternalIdentityAuthenticationOptions, InternalIdentityAuthenticationHandler>(
                InternalIdentityDefaults.AuthenticationScheme, displayName: "Synaxis internal identity", configureOptions: null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(SynaxisPolicies.Member, SynaxisPolicies.ConfigureMember)
            .AddPolicy(SynaxisPolicies.OrganizationAdmin, SynaxisPolicies.ConfigureOrganizationAdmin)
            .AddPolicy(SynaxisPolicies.Internal, SynaxisPolicies.ConfigureInternal);
        return builder;
    }

    /// <summary>
    /// The key, <see cref="InternalIdentitySigner"/> and <see cref="InternalIdentityValidator"/> without any
    /// authentication scheme: what the gateway needs to sign. A missing or short <c>InternalIdentity:SigningKey</c>
    /// stops the host at startup with a <see cref="SecurityConfigurationException"/>.
    /// </summary>
    public static TBuilder AddInternalIdentitySigning<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<InternalIdentitySigner>();
        builder.Services.TryAddSingleton<InternalIdentityValidator>();
        builder.Services.AddOptions<InternalIdentityOptions>()
            .BindConfiguration(InternalIdentityOptions.SectionName)
            .Validate(options => options.CreateKeyBytes().Length > 0)
            .ValidateOnStart();
        return builder;
    }

    private sealed class InternalIdentityAuthenticationMarker;
}
