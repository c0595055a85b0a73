using Synaxis.Audit.Infrastructure;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Audit.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<AuditDbContext>(AuditDbContext.Schema);
    }
}
