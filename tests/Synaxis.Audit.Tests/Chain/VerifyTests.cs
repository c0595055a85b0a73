using Microsoft.EntityFrameworkCore;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Contracts;
using Synaxis.Audit.Tests.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Tests.Chain;

/// <summary><c>/verify</c> finds any edit or deletion made behind Audit's back, in the organization that suffered it only.</summary>
[Collection(AuditCollection.Name)]
public sealed class VerifyTests(AuditFixture fixture)
{
    private AuditService Service => fixture.Service;

    [Fact]
    public async Task An_untouched_chain_is_intact_and_every_entry_is_checked()
    {
        var (caller, _) = await ChainAsync(6);

        var result = await Service.Api.VerifyAsync(caller);

        Assert.True(result.Intact);
        Assert.Equal(6, result.Checked);
        Assert.Null(result.FirstBrokenEntry);
    }

    [Fact]
    public async Task A_row_edited_with_SQL_is_a_hash_mismatch_and_other_organizations_stay_intact()
    {
        var (caller, events) = await ChainAsync(5);
        var (bystander, _) = await ChainAsync(3);

        await Service.ExecuteSqlAsync("""UPDATE audit."Logs" SET "NewValues" = '{"name": "forged"}' WHERE "Id" = $1""", events[2].Id);

        var broken = await BrokenAsync(caller);
        Assert.Equal(events[2].Id, broken.Id);
        Assert.Equal(3, broken.Sequence);
        Assert.Equal(BrokenEntryReasons.HashMismatch, broken.Reason);
        Assert.True((await Service.Api.VerifyAsync(bystander)).Intact);
    }

    [Fact]
    public async Task A_row_deleted_with_SQL_is_missing()
    {
        var (caller, events) = await ChainAsync(5);

        await Service.ExecuteSqlAsync("""DELETE FROM audit."Logs" WHERE "Id" = $1""", events[2].Id);

        var broken = await BrokenAsync(caller);
        Assert.Equal(events[3].Id, broken.Id);
        Assert.Equal(4, broken.Sequence);
        Assert.Equal(BrokenEntryReasons.Missing, broken.Reason);
    }

    [Fact]
    public async Task A_row_edited_and_rehashed_breaks_the_link_of_the_next_one()
    {
        var (caller, events) = await ChainAsync(5);
        var row = await Service.WithDbAsync(db => db.Logs.AsNoTracking().SingleAsync(l => l.Id == events[1].Id));
        row.NewValues = """{"name": "forged"}""";
        await Service.ExecuteSqlAsync("""UPDATE audit."Logs" SET "NewValues" = $2::jsonb, "Hash" = $3 WHERE "Id" = $1""",
            row.Id, row.NewValues, ChainHasher.Compute(row, valuesAreCanonical: false));

        var broken = await BrokenAsync(caller);
        Assert.Equal(events[2].Id, broken.Id);
        Assert.Equal(BrokenEntryReasons.LinkMismatch, broken.Reason);
    }

    [Fact]
    public async Task Deleting_the_newest_rows_is_caught_by_the_chain_head()
    {
        var (caller, events) = await ChainAsync(4);

        await Service.ExecuteSqlAsync("""DELETE FROM audit."Logs" WHERE "Id" = $1""", events[3].Id);

        var broken = await BrokenAsync(caller);
        Assert.Null(broken.Id);
        Assert.Equal(4, broken.Sequence);
        Assert.Equal(BrokenEntryReasons.Missing, broken.Reason);
    }

    [Fact]
    public async Task A_window_checks_the_entries_that_occurred_in_it_linked_to_the_one_before()
    {
        var caller = TestCaller.NewOrganization();
        var start = DateTimeOffset.UtcNow.AddHours(-5);
        var events = Enumerable.Range(0, 5)
            .Select(i => TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid() } }, occurredAt: start.AddHours(i)))
            .ToArray();
        await Service.PublishAndWaitAsync(events);

        var window = $"?from={Uri.EscapeDataString(start.AddHours(1).AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(start.AddHours(3).AddMinutes(1).ToString("O"))}";
        var result = await Service.Api.VerifyAsync(caller, window);
        Assert.True(result.Intact);
        Assert.Equal(3, result.Checked);

        // The entry before the window is what the first entry of the window links to.
        await Service.ExecuteSqlAsync("""UPDATE audit."Logs" SET "Hash" = $2 WHERE "Id" = $1""", events[0].Id, new byte[32]);
        Assert.Equal(BrokenEntryReasons.LinkMismatch, (await Service.Api.VerifyAsync(caller, window)).FirstBrokenEntry?.Reason);
    }

    private async Task<BrokenEntry> BrokenAsync(TestCaller caller)
    {
        var result = await Service.Api.VerifyAsync(caller);
        Assert.False(result.Intact);
        return result.FirstBrokenEntry!;
    }

    /// <summary>A fresh organization with <paramref name="count"/> recorded events, one per publish so the sequence follows the list.</summary>
    private async Task<(TestCaller Caller, SynaxisEvent[] Events)> ChainAsync(int count)
    {
        var caller = TestCaller.NewOrganization();
        var events = new SynaxisEvent[count];
        for (var i = 0; i < count; i++)
        {
            events[i] = TestEvents.Change("GroupUpdated", caller.OrganizationId, new { id = i, name = $"before {i}" }, new { id = i, name = $"after {i}", rpm = 1.50 });
            await Service.PublishAndWaitAsync(events[i]);
        }
        return (caller, events);
    }
}
