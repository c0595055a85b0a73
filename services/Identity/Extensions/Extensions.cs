using Synaxis.Identity.Infrastructure;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Identity.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<IdentityDbContext>(IdentityDbContext.Schema);
    }
}
