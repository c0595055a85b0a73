using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Registration of the event bus. Each expects an <see cref="IConnectionMultiplexer"/> (AddServiceData's
/// AddRedisClient registers one) and the DbContext; settings come from <c>Synaxis:Events</c>.
/// </summary>
public static class EventServiceCollectionExtensions
{
    /// <summary>Registers <see cref="IEventOutbox"/> (scoped), for a service that writes events.</summary>
    public static IServiceCollection AddEventOutbox(this IServiceCollection services)
    {
        services.AddEventCore();
        services.AddHttpContextAccessor();
        services.TryAddScoped<IEventOutbox, EventOutbox>();
        return services;
    }

    /// <summary>
    /// Publishes the outbox of <typeparamref name="TContext"/> (which must apply
    /// <c>OutboxMessageConfiguration</c>) to the event stream, and registers <see cref="IEventOutbox"/>.
    /// Commits of events through this context wake the relay at once.
    /// </summary>
    public static IServiceCollection AddOutboxRelay<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        services.AddEventOutbox();
        if (services.Any(d => d.ServiceType == typeof(OutboxSignal<TContext>)))
        {
            return services;
        }
        services.AddSingleton<OutboxSignal<TContext>>();
        services.AddSingleton<OutboxCommitInterceptor<TContext>>();
        // Composes with the service's own AddDbContext / AddNpgsqlDbContext, whichever comes first.
        // Singleton, because a pooled context (Aspire's default) builds its options from the root provider.
        services.ConfigureDbContext<TContext>(
            (provider, options) => options.AddInterceptors(provider.GetRequiredService<OutboxCommitInterceptor<TContext>>()),
            ServiceLifetime.Singleton);
        services.AddHostedService(provider => new OutboxRelay<TContext>(
            provider.GetRequiredService<IServiceScopeFactory>(),
            provider.GetRequiredService<EventStreamPublisher>(),
            provider.GetRequiredService<OutboxSignal<TContext>>(),
            provider.GetRequiredService<IOptions<EventOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<OutboxRelay<TContext>>>()));
        return services;
    }

    /// <summary>
    /// Applies every event on the stream with <typeparamref name="THandler"/> (registered scoped) as a
    /// member of <paramref name="consumerGroup"/>. All instances of a service share one group, so each
    /// event is handled once per service; every other service has its own. <typeparamref name="TContext"/>
    /// must apply <see cref="ProcessedEventConfiguration"/>.
    /// </summary>
    public static IServiceCollection AddEventConsumer<TContext, THandler>(this IServiceCollection services, string consumerGroup)
        where TContext : DbContext
        where THandler : class, IEventHandler
        => services.AddEventConsumer<TContext, THandler>(consumerGroup, EventStreamKind.Events);

    /// <summary>
    /// As <see cref="AddEventConsumer{TContext, THandler}(IServiceCollection, string)"/>, on the usage stream
    /// (<see cref="EventOptions.UsageStreamName"/>: Routing's <c>UsageRecorded</c>, one per inference).
    /// </summary>
    public static IServiceCollection AddUsageConsumer<TContext, THandler>(this IServiceCollection services, string consumerGroup)
        where TContext : DbContext
        where THandler : class, IEventHandler
        => services.AddEventConsumer<TContext, THandler>(consumerGroup, EventStreamKind.Usage);

    private static IServiceCollection AddEventConsumer<TContext, THandler>(this IServiceCollection services, string consumerGroup, EventStreamKind stream)
        where TContext : DbContext
        where THandler : class, IEventHandler
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        if (consumerGroup.Length > ProcessedEventConfiguration.MaxConsumerGroupLength)
        {
            throw new ArgumentException(
                $"Consumer group names are at most {ProcessedEventConfiguration.MaxConsumerGroupLength} characters.", nameof(consumerGroup));
        }
        // Two handlers in one group would each see only part of the stream.
        if (services.Any(d => d.ServiceType == typeof(EventConsumerRegistration)
            && d.ImplementationInstance is EventConsumerRegistration existing
            && existing.ConsumerGroup == consumerGroup))
        {
            throw new InvalidOperationException($"Consumer group '{consumerGroup}' is already registered in this service.");
        }

        services.AddEventCore();
        services.AddSingleton(new EventConsumerRegistration(consumerGroup, typeof(THandler)));
        services.TryAddScoped<THandler>();
        // Not AddHostedService: it deduplicates by type, and one service may run several groups.
        services.AddSingleton<IHostedService>(provider => new EventConsumer<TContext>(
            consumerGroup,
            stream,
            typeof(THandler),
            provider.GetRequiredService<IServiceScopeFactory>(),
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<EventOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<EventConsumer<TContext>>>()));
        return services;
    }

    /// <summary>
    /// The stream publisher alone (options, telemetry), for events published straight to the stream rather than
    /// through an outbox: facts that need no transaction, such as Routing's UsageRecorded.
    /// </summary>
    public static IServiceCollection AddEventPublisher(this IServiceCollection services)
    {
        services.AddEventCore();
        return services;
    }

    private static void AddEventCore(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(EventStreamPublisher)))
        {
            return;
        }
        services.AddOptions<EventOptions>().BindConfiguration(EventOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventOptions>, EventOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EventStreamPublisher>();
    }

    private sealed record EventConsumerRegistration(string ConsumerGroup, Type HandlerType);
}
