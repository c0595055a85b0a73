using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;
using Synaxis.Testing;
using Xunit.Abstractions;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>An event exists exactly when the change it describes committed.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class EventWritingTests(InfrastructureFixture infrastructure, ITestOutputHelper output) : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.Redis.ConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task A_change_and_its_event_commit_together_and_the_event_is_published()
    {
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        await using var service = await StartAsync(stream.Stream, relay: true);
        var organizationId = Guid.NewGuid();
        var widgetId = Guid.NewGuid();

        var written = await service.InScopeAsync(async (db, services) =>
        {
            var outbox = services.GetRequiredService<IEventOutbox>();
            // Aspire's context retries on failure, so an explicit transaction runs inside the strategy.
            return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.Widgets.Add(new Widget { Id = widgetId, Name = "first" });
                var @event = outbox.Add(db, "WidgetCreated", organizationId, TestData.Of("first"), EventOrigin.User(Guid.NewGuid(), "req-7"));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
                return @event;
            });
        });

        await using (var db = EventsTestDbContext.Open(service.ConnectionString))
        {
            Assert.True(await db.Widgets.AnyAsync(w => w.Id == widgetId));
            Assert.True(await db.Outbox.AnyAsync(m => m.Id == written.Id));
        }
        // StreamEntry is a struct whose default is not IsNull: look for it as a nullable.
        var entry = (await Eventually.MatchesAsync(
            async () => (await stream.EntriesAsync()).Where(e => e[EventStreamFields.Id] == written.Id.ToString()).Select(e => (StreamEntry?)e).SingleOrDefault(),
            e => e is not null, "the event in the stream"))!.Value;
        Assert.Equal("WidgetCreated", (string?)entry[EventStreamFields.Type]);
        Assert.Equal(organizationId.ToString(), (string?)entry[EventStreamFields.Organization]);
        var published = SynaxisEvent.FromJson(entry[EventStreamFields.Payload].ToString());
        Assert.Equal((written.Id, written.Type, written.OrganizationId, written.ActorId, written.ActorType, "req-7"),
            (published.Id, published.Type, published.OrganizationId, published.ActorId, published.ActorType, published.RequestId));
        Assert.Equal("first", published.Data.GetProperty("label").GetString());

        var row = await Eventually.MatchesAsync(
            async () => (await service.OutboxAsync()).Single(), r => r.PublishedAt is not null, "the row marked published");
        Assert.Equal(1, row.Attempts);
    }

    [Fact]
    public async Task A_rolled_back_transaction_publishes_nothing()
    {
        var stream = new StreamProbe(_redis.GetDatabase(), EventsTestService.NewStreamName());
        await using var service = await StartAsync(stream.Stream, relay: true);

        var rolledBack = await service.InScopeAsync(async (db, services) =>
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.Widgets.Add(new Widget { Id = Guid.NewGuid(), Name = "never" });
                var @event = services.GetRequiredService<IEventOutbox>().Add(db, "WidgetCreated", null, TestData.Of("never"));
                await db.SaveChangesAsync();
                await transaction.RollbackAsync();
                return @event;
            }));
        // A later committed event: once it is in the stream, the relay has been past the rolled-back one.
        var sentinel = await service.WriteEventAsync("Sentinel");

        await Eventually.TrueAsync(async () => await stream.CountAsync(sentinel.Id) == 1, "the sentinel in the stream");
        Assert.Equal(0, await stream.CountAsync(rolledBack.Id));
        Assert.Single(await stream.EntriesAsync());
        Assert.Equal([sentinel.Id], (await service.OutboxAsync()).Select(m => m.Id));
        await using var check = EventsTestDbContext.Open(service.ConnectionString);
        Assert.False(await check.Widgets.AnyAsync());
    }

    [Fact]
    public async Task The_outbox_takes_actor_organization_and_request_from_the_http_caller_unless_overridden()
    {
        await using var service = await StartAsync(EventsTestService.NewStreamName(), relay: false);
        var userId = Guid.NewGuid();
        var organizationId = Guid.NewGuid();
        var keyId = Guid.NewGuid();

        var (fromUser, overridden, fromKey, callerOrganization) = await service.InScopeAsync(async (db, services) =>
        {
            var http = services.GetRequiredService<IHttpContextAccessor>();
            var outbox = services.GetRequiredService<IEventOutbox>();
            http.HttpContext = new DefaultHttpContext { User = Principal((SynaxisClaims.Subject, userId.ToString()), (SynaxisClaims.OrganizationId, organizationId.ToString()), (SynaxisClaims.RequestId, "rid-1")) };
            var fromUser = outbox.Add(db, "WidgetCreated", outbox.CurrentOrganizationId, TestData.Of("u"));
            var overridden = outbox.Add(db, "WidgetCreated", null, TestData.Of("o"), outbox.CurrentOrigin with { RequestId = "rid-override" });
            var callerOrganization = outbox.CurrentOrganizationId;
            http.HttpContext = new DefaultHttpContext { User = Principal((SynaxisClaims.KeyId, keyId.ToString()), (SynaxisClaims.RequestId, "rid-2")) };
            var fromKey = outbox.Add(db, "WidgetCreated", null, TestData.Of("k"));
            await db.SaveChangesAsync();
            http.HttpContext = null;
            return (fromUser, overridden, fromKey, callerOrganization);
        });

        Assert.Equal(organizationId, callerOrganization);
        var stored = (await service.OutboxAsync()).ToDictionary(m => m.Id, m => SynaxisEvent.FromJson(m.Payload));
        Assert.Equal((EventActorTypes.User, userId, "rid-1", organizationId),
            (stored[fromUser.Id].ActorType, stored[fromUser.Id].ActorId, stored[fromUser.Id].RequestId, stored[fromUser.Id].OrganizationId));
        Assert.Equal((EventActorTypes.User, userId, "rid-override"),
            (stored[overridden.Id].ActorType, stored[overridden.Id].ActorId, stored[overridden.Id].RequestId));
        Assert.Equal((EventActorTypes.Key, keyId, "rid-2"),
            (stored[fromKey.Id].ActorType, stored[fromKey.Id].ActorId, stored[fromKey.Id].RequestId));
        Assert.All(stored.Values, e => Assert.Equal("WidgetCreated", e.Type));
    }

    [Fact]
    public async Task Outside_a_request_the_actor_is_the_system()
    {
        await using var service = await StartAsync(EventsTestService.NewStreamName(), relay: false);

        var @event = await service.InScopeAsync(async (db, services) =>
        {
            var written = services.GetRequiredService<IEventOutbox>().Add(db, "Tick", null, TestData.Of("t"));
            await db.SaveChangesAsync();
            return written;
        });

        var stored = SynaxisEvent.FromJson((await service.OutboxAsync()).Single().Payload);
        Assert.Equal((@event.Id, EventActorTypes.System, (Guid?)null, (string?)null), (stored.Id, stored.ActorType, stored.ActorId, stored.RequestId));
    }

    private async Task<EventsTestService> StartAsync(string stream, bool relay) =>
        await EventsTestService.StartAsync(infrastructure, new EventsTestServiceOptions
        {
            ConnectionString = await EventsTestService.CreateDatabaseAsync(infrastructure),
            Stream = stream,
            Relay = relay,
        }, output);

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), authenticationType: "test"));
}
