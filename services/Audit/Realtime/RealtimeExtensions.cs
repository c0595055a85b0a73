using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using StackExchange.Redis;
using Synaxis.ServiceKit.Data;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Audit.Realtime;

/// <summary>
/// The live side of Audit: the SignalR hub <c>/hubs/events</c>, scaled out over Redis so a message broadcast by any
/// Audit instance reaches clients connected to every instance, and the <see cref="IAuditBroadcaster"/> ingestion
/// publishes to.
/// </summary>
public static class RealtimeExtensions
{
    /// <summary>Where the hub is mapped; the gateway's <c>audit-hubs</c> route forwards <c>/hubs/{**}</c> here.</summary>
    public const string HubPath = "/hubs/events";

    /// <summary>Prefix of every backplane channel, so SignalR's pub/sub never collides with other Redis users.</summary>
    public const string BackplaneChannelPrefix = "synaxis:signalr";

    /// <summary>
    /// SignalR with the Redis backplane on the service's Redis (<c>ConnectionStrings:redis</c>, the connection
    /// AddServiceData registers) and <see cref="HubBroadcaster"/> as the <see cref="IAuditBroadcaster"/>.
    /// </summary>
    /// <remarks>
    /// The backplane opens its own multiplexer to that same Redis instead of sharing the registered
    /// <see cref="IConnectionMultiplexer"/>: the channel prefix is a setting of the multiplexer (setting it on the
    /// shared one would rename every other subscriber's channels), and SignalR's lifetime manager calls
    /// <c>UnsubscribeAll</c> and disposes the multiplexer it is given when the host stops.
    /// </remarks>
    public static IHostApplicationBuilder AddAuditRealtime(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ServiceDataExtensions.RedisConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ServiceDataExtensions.RedisConnectionName} is required: the SignalR backplane of /hubs/events runs on Redis.");
        }

        builder.Services.AddSignalR().AddStackExchangeRedis(options => ConfigureBackplane(options, connectionString));
        builder.Services.AddSingleton<IAuditBroadcaster, HubBroadcaster>();
        return builder;
    }

    /// <summary>
    /// Maps <see cref="EventsHub"/> at <see cref="HubPath"/>, open to any member of an organization (the gateway's
    /// signed identity authenticates the negotiate POST and the WebSocket GET alike).
    /// </summary>
    public static WebApplication MapAuditHub(this WebApplication app)
    {
        app.MapHub<EventsHub>(HubPath).RequireAuthorization(SynaxisPolicies.Member);
        return app;
    }

    private static void ConfigureBackplane(RedisOptions options, string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        // StackExchange.Redis prepends the prefix as is: "synaxis:signalr:Synaxis.Audit.Realtime.EventsHub:group:org:{id}".
        configuration.ChannelPrefix = RedisChannel.Literal(BackplaneChannelPrefix + ":");
        // Keep retrying in the background when Redis is down at startup instead of failing the first connection.
        configuration.AbortOnConnectFail = false;
        options.Configuration = configuration;
    }
}
