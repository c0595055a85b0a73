using Synaxis.Audit.Tests.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Tests.Apis;

/// <summary><c>/logs</c>: newest first, filters, and keyset pages that neither repeat nor skip while entries keep arriving.</summary>
[Collection(AuditCollection.Name)]
public sealed class LogsApiTests(AuditFixture fixture)
{
    private AuditService Service => fixture.Service;

    [Fact]
    public async Task Pages_stay_stable_while_new_entries_arrive_between_them()
    {
        var caller = TestCaller.NewOrganization();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        // Several entries share an instant: the id breaks the tie.
        var existing = Enumerable.Range(0, 23)
            .Select(i => TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid() } }, occurredAt: start.AddSeconds(i / 3)))
            .ToArray();
        await Service.PublishAndWaitAsync(existing);

        var seen = new List<Guid>();
        var page = await Service.Api.LogsAsync(caller, "?limit=5");
        seen.AddRange(page.Items.Select(i => i.Id));
        var arrived = 0;
        while (page.NextCursor is { } cursor)
        {
            // New entries (newer, and one dated inside the pages already read) land while the client pages.
            var late = TestEvents.Admin("GroupUpdated", caller.OrganizationId, new { after = new { id = Guid.NewGuid() } }, occurredAt: start.AddSeconds(3));
            await Service.PublishAndWaitAsync(TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid() } }), late);
            arrived += 2;
            page = await Service.Api.LogsAsync(caller, $"?limit=5&cursor={cursor}");
            seen.AddRange(page.Items.Select(i => i.Id));
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), existing.Select(e => e.Id).ToHashSet());
        var expectedOrder = existing.OrderByDescending(e => IngestionTestsTime(e.OccurredAt)).ThenByDescending(e => e.Id).Select(e => e.Id)
            .Where(seen.Contains).ToList();
        Assert.Equal(expectedOrder, seen.Where(id => existing.Any(e => e.Id == id)).ToList());
        Assert.True(arrived > 0);
        Assert.Equal(existing.Length + arrived, (await Service.Api.AllLogsAsync(caller)).Count);
    }

    [Fact]
    public async Task Filters_narrow_to_the_action_actor_resource_type_and_window()
    {
        var caller = TestCaller.NewOrganization();
        var actor = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var created = TestEvents.Admin("KeyCreated", caller.OrganizationId, new { key = new { id = Guid.NewGuid() } }, EventOrigin.User(actor), now.AddMinutes(-3));
        var revoked = TestEvents.Admin("KeyRevoked", caller.OrganizationId, new { key = new { id = Guid.NewGuid() }, reason = "deleted" }, EventOrigin.User(actor), now.AddMinutes(-2));
        var group = TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid() } }, occurredAt: now.AddMinutes(-1));
        var old = TestEvents.Admin("KeyCreated", caller.OrganizationId, new { key = new { id = Guid.NewGuid() } }, EventOrigin.User(actor), now.AddDays(-3));
        await Service.PublishAndWaitAsync(created, revoked, group, old);

        Assert.Equal([group.Id, revoked.Id, created.Id, old.Id], (await Service.Api.LogsAsync(caller)).Items.Select(i => i.Id));
        Assert.Equal([created.Id, old.Id], (await Service.Api.LogsAsync(caller, "?action=KeyCreated")).Items.Select(i => i.Id));
        Assert.Equal([revoked.Id, created.Id, old.Id], (await Service.Api.LogsAsync(caller, $"?actorId={actor}")).Items.Select(i => i.Id));
        Assert.Equal([group.Id], (await Service.Api.LogsAsync(caller, "?resourceType=Group")).Items.Select(i => i.Id));
        var from = Uri.EscapeDataString(now.AddDays(-1).ToString("O"));
        Assert.Equal([revoked.Id, created.Id], (await Service.Api.LogsAsync(caller, $"?from={from}&resourceType=Key")).Items.Select(i => i.Id));
        var day = now.AddDays(-3).UtcDateTime.ToString("yyyy-MM-dd");
        Assert.Equal([old.Id], (await Service.Api.LogsAsync(caller, $"?from={day}&to={day}")).Items.Select(i => i.Id));
    }

    private static DateTimeOffset IngestionTestsTime(DateTimeOffset instant) => new(instant.UtcTicks - instant.UtcTicks % 10, TimeSpan.Zero);
}
