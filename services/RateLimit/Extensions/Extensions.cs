using Synaxis.RateLimit.Infrastructure;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Http;

namespace Synaxis.RateLimit.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<RateLimitDbContext>(RateLimitDbContext.Schema);
    }
}
