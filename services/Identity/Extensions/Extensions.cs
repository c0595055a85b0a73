using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Synaxis.Identity.Apis;
using Synaxis.Identity.Events;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;
using Synaxis.Identity.Services;
using Synaxis.Identity.Tokens;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // First hosted service: a bad JWT key stops startup before anything else starts.
        builder.Services.AddHostedService<JwtKeyCheck>();
        builder.AddServiceApi();
        builder.AddServiceData<IdentityDbContext>(IdentityDbContext.Schema);
        builder.Services.AddValidation();
        builder.Services.AddOutboxRelay<IdentityDbContext>();

        builder.Services.AddIdentityCore<SynaxisUser>(ConfigureIdentity)
            .AddRoles<SynaxisRole>()
            .AddEntityFrameworkStores<IdentityDbContext>();

        builder.Services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName);
        // Built once: a short or missing key throws SecurityConfigurationException at startup (see JwtKeyCheck).
        builder.Services.AddSingleton(sp => new SigningCredentials(
            sp.GetRequiredService<IOptions<JwtOptions>>().Value.CreateSigningKey(), SecurityAlgorithms.HmacSha256));

        builder.Services.AddScoped<TokenIssuer>();
        builder.Services.AddScoped<IdentityEvents>();
        builder.Services.AddScoped<OrganizationProvisioner>();
    }

    public static void MapIdentityApis(this WebApplication app)
    {
        app.MapAuthApi();
        app.MapMeApi();
        app.MapOrganizationsApi();
        app.MapGroupsApi();
        app.MapMembersApi();
    }

    /// <summary>
    /// Length over composition rules (NIST 800-63B): 12 characters, not all the same few. Five failures
    /// lock the account for 15 minutes.
    /// </summary>
    private static void ConfigureIdentity(IdentityOptions options)
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 12;
        options.Password.RequiredUniqueChars = 5;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
    }
}
