using Synaxis.Audit.Apis;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Infrastructure;
using Synaxis.Audit.Ingestion;
using Synaxis.Audit.Partitions;
using Synaxis.Audit.Retention;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Http;

namespace Synaxis.Audit.Extensions;

public static class Extensions
{
    /// <summary>
    /// The audit trail: its tables (migrated at start), the ingestion of <c>synaxis:events</c> and
    /// <c>synaxis:events:usage</c>, partitions made ahead, retention, and what the query APIs need. Hosted services
    /// start in this order, after the migration.
    /// </summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceApi();
        builder.AddServiceData<AuditDbContext>(AuditDbContext.Schema);
        // The event bus settings (stream names, polling, reclaiming) that ingestion follows.
        builder.Services.AddEventPublisher();

        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName)
            .Validate(o => o.BatchSize is >= 1 and <= 10_000, $"{IngestionOptions.SectionName}:BatchSize must be from 1 to 10000.")
            .ValidateOnStart();
        builder.Services.AddOptions<PartitionOptions>().BindConfiguration(PartitionOptions.SectionName)
            .Validate(o => o.DaysAhead is >= 0 and <= 366 && o.Interval > TimeSpan.Zero,
                $"{PartitionOptions.SectionName}:DaysAhead must be from 0 to 366 and Interval positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName)
            .Validate(o => o.DefaultDays is >= 1 and <= EventMapper.MaxRetentionDays && o.Interval > TimeSpan.Zero,
                $"{RetentionOptions.SectionName}:DefaultDays must be from 1 to {EventMapper.MaxRetentionDays} and Interval positive.")
            .ValidateOnStart();

        builder.Services.AddSingleton<PartitionCatalog>();
        builder.Services.AddScoped<AuditBatchWriter>();
        builder.Services.AddScoped<RetentionPolicy>();
        builder.Services.AddScoped<RetentionSweeper>();
        builder.Services.AddScoped<ChainVerifier>();

        builder.Services.AddHostedService<PartitionMaintenance>();
        builder.Services.AddHostedService<RetentionService>();
        builder.Services.AddHostedService<AuditIngestionService>();
    }

    /// <summary><c>/api/audit/logs</c>, <c>/usage</c> and <c>/verify</c> (Owner and Admin).</summary>
    public static IEndpointRouteBuilder MapAuditApis(this IEndpointRouteBuilder app)
    {
        app.MapLogsApi();
        app.MapUsageApi();
        app.MapVerifyApi();
        return app;
    }
}
