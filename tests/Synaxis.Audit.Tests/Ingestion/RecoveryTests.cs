using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Synaxis.Audit.Ingestion;
using Synaxis.Audit.Tests.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Tests.Ingestion;

/// <summary>A crash anywhere loses nothing and duplicates nothing.</summary>
[Collection(AuditCollection.Name)]
public sealed class RecoveryTests(AuditFixture fixture)
{
    private AuditService Service => fixture.Service;

    [Fact]
    public async Task A_batch_whose_transaction_failed_leaves_nothing_and_is_recorded_exactly_once_when_retried()
    {
        var caller = TestCaller.NewOrganization();
        var events = Enumerable.Range(0, 5)
            .Select(i => TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid(), name = $"g{i}" } }))
            .ToArray();
        var failing = $"test_fail_{caller.OrganizationId:N}";
        // Every insert of this organization's rows fails, as a database dying mid-transaction would make it.
        await Service.ExecuteSqlAsync($$"""
            CREATE FUNCTION audit.{{failing}}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW."OrganizationId" = '{{caller.OrganizationId}}' THEN RAISE EXCEPTION 'simulated failure'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {{failing}} BEFORE INSERT ON audit."Logs" FOR EACH ROW EXECUTE FUNCTION audit.{{failing}}();
            """);
        try
        {
            await Service.PublishAsync(events);
            // Delivered, failed, and delivered again (reclaimed): still nothing stored, nothing acknowledged.
            await Eventually.TrueAsync(async () =>
            {
                var pending = await Service.Redis.StreamPendingMessagesAsync(Service.EventStream, "audit", 100, RedisValue.Null);
                return pending.Length >= events.Length && pending.All(p => p.DeliveryCount >= 2);
            }, "the failed batch to be retried");
            Assert.Equal(0, await Service.WithDbAsync(db => db.Logs.CountAsync(l => l.OrganizationId == caller.OrganizationId)));
            Assert.False(await Service.WithDbAsync(db => db.ChainHeads.AnyAsync(h => h.OrganizationId == caller.OrganizationId)));
        }
        finally
        {
            await Service.ExecuteSqlAsync($"DROP TRIGGER {failing} ON audit.\"Logs\"; DROP FUNCTION audit.{failing}();");
        }

        await Service.WaitForRecordedAsync([.. events.Select(e => e.Id)]);
        await AssertChainOfAsync(caller, events.Length);
    }

    [Fact]
    public async Task Entries_a_consumer_committed_but_died_before_acknowledging_are_reclaimed_and_not_recorded_twice()
    {
        var caller = TestCaller.NewOrganization();
        var events = Enumerable.Range(0, 5)
            .Select(i => TestEvents.Admin("KeyCreated", caller.OrganizationId, new { key = new { id = Guid.NewGuid(), name = $"k{i}" } }))
            .ToArray();

        // The dead consumer committed the first three...
        await using (var scope = Service.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AuditBatchWriter>()
                .WriteAsync([.. events.Take(3).Select(EventMapper.Map)], CancellationToken.None);
        }
        // ...had read all five, and died before its XACK. MULTI: the live consumer cannot read them in between.
        var transaction = Service.Redis.CreateTransaction();
        var appended = events.Select(e => transaction.StreamAddAsync(Service.EventStream, Entry(e))).ToList();
        var read = transaction.StreamReadGroupAsync(Service.EventStream, "audit", "crashed-consumer", StreamPosition.NewMessages, 100);
        Assert.True(await transaction.ExecuteAsync());
        await Task.WhenAll(appended);
        Assert.Equal(events.Length, (await read).Length);

        await Service.WaitForRecordedAsync([.. events.Select(e => e.Id)]);
        await Eventually.TrueAsync(async () =>
            (await Service.Redis.StreamPendingMessagesAsync(Service.EventStream, "audit", 10, "crashed-consumer")).Length == 0,
            "the dead consumer's entries to be reclaimed and acknowledged");
        await AssertChainOfAsync(caller, events.Length);
    }

    [Fact]
    public async Task Two_instances_writing_the_same_events_at_once_record_each_once_in_one_unbroken_chain()
    {
        var caller = TestCaller.NewOrganization();
        var events = Enumerable.Range(0, 40)
            .Select(i => TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid(), name = $"g{i}" } }))
            .ToArray();
        var other = TestCaller.NewOrganization();
        var others = Enumerable.Range(0, 10)
            .Select(i => TestEvents.Admin("GroupCreated", other.OrganizationId, new { after = new { id = Guid.NewGuid() } }))
            .ToArray();

        // Overlapping batches, in different orders, with a second organization locked in between.
        var batches = new[]
        {
            events.Take(30).Concat(others).ToArray(),
            events.Skip(10).Reverse().Concat(others.Take(5)).ToArray(),
            events.Skip(20).Concat(events.Take(5)).ToArray(),
        };
        await Task.WhenAll(batches.Select(async batch =>
        {
            await using var scope = Service.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AuditBatchWriter>().WriteAsync([.. batch.Select(EventMapper.Map)], CancellationToken.None);
        }));

        await AssertChainOfAsync(caller, events.Length);
        await AssertChainOfAsync(other, others.Length);
    }

    private async Task AssertChainOfAsync(TestCaller caller, int count)
    {
        var sequences = await Service.WithDbAsync(db => db.Logs
            .Where(l => l.OrganizationId == caller.OrganizationId).Select(l => l.Sequence).OrderBy(s => s).ToListAsync());
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), sequences);
        var head = await Service.WithDbAsync(db => db.ChainHeads.SingleAsync(h => h.OrganizationId == caller.OrganizationId));
        Assert.Equal(count, head.Sequence);
        var verified = await Service.Api.VerifyAsync(caller);
        Assert.True(verified.Intact, $"broken at {verified.FirstBrokenEntry}");
        Assert.Equal(count, verified.Checked);
    }

    private static NameValueEntry[] Entry(SynaxisEvent @event) =>
    [
        new(EventStreamFields.Id, @event.Id.ToString()),
        new(EventStreamFields.Type, @event.Type),
        new(EventStreamFields.Organization, @event.OrganizationId?.ToString() ?? ""),
        new(EventStreamFields.Payload, @event.ToJson()),
    ];
}
