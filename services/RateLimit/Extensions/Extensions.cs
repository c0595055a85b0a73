using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Synaxis.ServiceKit.Admission;
using Synaxis.RateLimit.Apis;
using Synaxis.RateLimit.Events;
using Synaxis.RateLimit.Infrastructure;
using Synaxis.RateLimit.Services;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;

namespace Synaxis.RateLimit.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<RateLimitDbContext>(RateLimitDbContext.Schema);
        builder.Services.AddValidation();

        builder.Services.AddScoped<MemberRoleStore>();
        builder.Services.AddScoped<DeletedOrganizationStore>();

        // The policy mirror in Redis (the inference path reads policies there, never PostgreSQL).
        builder.Services.AddSingleton<PolicyMirrorWriter>();
        builder.Services.AddSingleton<RedisPolicyReader>();
        builder.Services.AddSingleton<PolicyMirrorInterceptor>();
        builder.Services.ConfigureDbContext<RateLimitDbContext>(
            (services, options) => options.AddInterceptors(services.GetRequiredService<PolicyMirrorInterceptor>()),
            ServiceLifetime.Singleton);
        builder.Services.AddSingleton<PolicyMirrorSweeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PolicyMirrorSweeper>());
        builder.Services.AddOutboxRelay<RateLimitDbContext>();
        builder.Services.AddEventConsumer<RateLimitDbContext, IdentityEventsHandler>(IdentityEventsHandler.ConsumerGroup);

        // Reconciles admission reservations with Routing's UsageRecorded events. A group of its own: the consumer
        // runs one handler per group, and inference volume must not delay Identity's (membership) events.
        builder.Services.AddSingleton(services => new RedisAdmissionController(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddUsageConsumer<RateLimitDbContext, UsageEventsHandler>(UsageEventsHandler.ConsumerGroup);
    }

    public static void MapRateLimitApis(this WebApplication app)
    {
        app.MapPoliciesApi();
        app.MapUsageApi();
    }
}
