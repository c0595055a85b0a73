using Synaxis.Keys.Apis;
using Synaxis.Keys.Events;
using Synaxis.Keys.Infrastructure;
using Synaxis.Keys.Services;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Keys.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<KeysDbContext>(KeysDbContext.Schema);
        builder.Services.AddValidation();

        builder.Services.AddOptions<KeysOptions>()
            .BindConfiguration(KeysOptions.SectionName)
            .Validate(o => o.WorkFactor is >= 4 and <= 31, "Keys:WorkFactor must be between 4 and 31.")
            .Validate(o => o.MaxActiveKeysPerUser > 0, "Keys:MaxActiveKeysPerUser must be positive.")
            .Validate(o => o.LastUsedDrainInterval > TimeSpan.Zero && o.ExpirySweepInterval > TimeSpan.Zero,
                "Keys:LastUsedDrainInterval and Keys:ExpirySweepInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyHasher>();
        builder.Services.AddSingleton<KeyCacheEvictor>();
        builder.Services.AddScoped<MemberRoleStore>();
        builder.Services.AddScoped<GroupStore>();
        builder.Services.AddHostedService<LastUsedDrainer>();
        builder.Services.AddHostedService<ExpiredKeyEvictor>();

        builder.Services.AddOutboxRelay<KeysDbContext>();
        builder.Services.AddEventConsumer<KeysDbContext, IdentityEventsHandler>(IdentityEventsHandler.ConsumerGroup);
        builder.Services.AddEventConsumer<KeysDbContext, KeyEvictionHandler>(KeyEvictionHandler.ConsumerGroup);
    }

    public static void MapKeysApis(this WebApplication app)
    {
        app.MapKeysApi();
        app.MapVerifyApi();
    }
}
