using Synaxis.Routing.Infrastructure;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Routing.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<RoutingDbContext>(RoutingDbContext.Schema);
    }
}
