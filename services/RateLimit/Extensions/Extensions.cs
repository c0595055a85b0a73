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
        builder.Services.AddOutboxRelay<RateLimitDbContext>();
        builder.Services.AddEventConsumer<RateLimitDbContext, IdentityEventsHandler>(IdentityEventsHandler.ConsumerGroup);
    }

    public static void MapRateLimitApis(this WebApplication app)
    {
        app.MapPoliciesApi();
    }
}
