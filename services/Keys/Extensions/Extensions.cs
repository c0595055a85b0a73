using Synaxis.Keys.Infrastructure;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Keys.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<KeysDbContext>(KeysDbContext.Schema);
    }
}
