using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Synaxis.Audit.Model;
using Synaxis.Audit.Partitions;
using Synaxis.Audit.Tests.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Tests.Retention;

/// <summary>
/// Partitions made ahead and dropped on time, and per-organization retention, on a service whose clock the test moves
/// (a FakeTimeProvider): each test has its own service and database, since dropping a day is global.
/// </summary>
[Collection(AuditCollection.Name)]
public sealed class RetentionTests(AuditFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2030, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Start.UtcDateTime);

    [Fact]
    public async Task Partitions_are_made_a_week_ahead_and_dropped_the_day_they_leave_the_default_retention()
    {
        var time = new FakeTimeProvider(Start);
        await using var service = await fixture.StartServiceAsync(time);
        await WaitForFirstRunsAsync(service);
        for (var day = 0; day <= 7; day++)
        {
            Assert.True(await service.PartitionExistsAsync(Logs(Today.AddDays(day))), $"day {day} ahead");
            Assert.True(await service.PartitionExistsAsync(PartitionCatalog.NameOf(PartitionCatalog.UsageTable, Today.AddDays(day))));
        }
        Assert.False(await service.PartitionExistsAsync(Logs(Today.AddDays(8))));

        var caller = TestCaller.NewOrganization();
        var lastDay = At(-90);   // the oldest day 90 days of retention keep today
        var nextToGo = At(-89);
        var recent = At(-1);
        var events = new[] { lastDay, nextToGo, recent }
            .Select(at => TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid() } }, occurredAt: at))
            .ToArray();
        var usage = TestEvents.Usage(caller.OrganizationId, occurredAt: lastDay);
        await service.PublishAndWaitAsync([.. events, usage]);
        Assert.True(await service.PartitionExistsAsync(Logs(DayOf(lastDay))));

        await AdvanceDaysAsync(service, time, 1);

        Assert.True(await service.PartitionExistsAsync(Logs(Today.AddDays(8))), "the new day ahead");
        Assert.False(await service.PartitionExistsAsync(Logs(DayOf(lastDay))), "a day out of retention is dropped");
        Assert.False(await service.PartitionExistsAsync(PartitionCatalog.NameOf(PartitionCatalog.UsageTable, DayOf(lastDay))));
        Assert.True(await service.PartitionExistsAsync(Logs(DayOf(nextToGo))), "a day still in retention stays");
        var checkpoint = await service.WithDbAsync(db => db.ChainCheckpoints.SingleAsync(c => c.OrganizationId == caller.OrganizationId));
        Assert.Equal((1L, ChainCheckpointReasons.PartitionDropped), (checkpoint.Sequence, checkpoint.Reason));
        var verified = await service.Api.VerifyAsync(caller);
        Assert.True(verified.Intact, $"broken at {verified.FirstBrokenEntry}");
        Assert.Equal(2, verified.Checked);

        await AdvanceDaysAsync(service, time, 1);

        Assert.False(await service.PartitionExistsAsync(Logs(DayOf(nextToGo))));
        Assert.Equal([events[2].Id], (await service.Api.LogsAsync(caller)).Items.Select(i => i.Id));
        verified = await service.Api.VerifyAsync(caller);
        Assert.True(verified.Intact, $"broken at {verified.FirstBrokenEntry}");
        Assert.Equal(1, verified.Checked);
    }

    [Fact]
    public async Task A_shorter_organization_retention_deletes_only_that_organizations_old_rows_and_its_chain_still_verifies()
    {
        var time = new FakeTimeProvider(Start);
        await using var service = await fixture.StartServiceAsync(time);
        await WaitForFirstRunsAsync(service);
        var shortLived = TestCaller.NewOrganization();
        var regular = TestCaller.NewOrganization();

        var published = new List<SynaxisEvent>();
        foreach (var caller in new[] { shortLived, regular })
        {
            foreach (var days in new[] { -50, -31, -10 })
            {
                published.Add(TestEvents.Admin("KeyCreated", caller.OrganizationId, new { key = new { id = Guid.NewGuid() } }, occurredAt: At(days)));
                published.Add(TestEvents.Usage(caller.OrganizationId, cost: 0.25m, occurredAt: At(days)));
            }
        }
        published.Add(TestEvents.Change("SettingsChanged", shortLived.OrganizationId,
            new { auditRetentionDays = 90 }, new { auditRetentionDays = 30 }, occurredAt: Start.AddHours(-1)));
        // One at a time, so each organization's chain follows the dates.
        foreach (var @event in published)
        {
            await service.PublishAndWaitAsync(@event);
        }

        await AdvanceDaysAsync(service, time, 1);

        // 30 days kept on the 16th: from May 17th on. The -31 (May 15th) and -50 days rows go, for that organization only.
        var shortLogs = await service.Api.AllLogsAsync(shortLived);
        Assert.Equal([At(-10), Start.AddHours(-1)], shortLogs.Select(l => l.OccurredAt).Order());
        Assert.Equal(3, (await service.Api.AllLogsAsync(regular)).Count);
        var shortUsage = await service.Api.UsageAsync(shortLived, $"?from={Today.AddDays(-60):yyyy-MM-dd}&to={Today:yyyy-MM-dd}");
        Assert.Equal(1, shortUsage.Totals.Requests);
        var regularUsage = await service.Api.UsageAsync(regular, $"?from={Today.AddDays(-60):yyyy-MM-dd}&to={Today:yyyy-MM-dd}");
        Assert.Equal(3, regularUsage.Totals.Requests);
        Assert.Equal(0.75m, regularUsage.Totals.CostUsd);

        var checkpoints = await service.WithDbAsync(db => db.ChainCheckpoints.Where(c => c.OrganizationId == shortLived.OrganizationId).ToListAsync());
        var checkpoint = Assert.Single(checkpoints);
        Assert.Equal((2L, ChainCheckpointReasons.Retention), (checkpoint.Sequence, checkpoint.Reason));
        Assert.False(await service.WithDbAsync(db => db.ChainCheckpoints.AnyAsync(c => c.OrganizationId == regular.OrganizationId)));
        foreach (var caller in new[] { shortLived, regular })
        {
            var verified = await service.Api.VerifyAsync(caller);
            Assert.True(verified.Intact, $"broken at {verified.FirstBrokenEntry}");
        }
    }

    private static DateTimeOffset At(int days) => Start.AddDays(days);

    private static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);

    private static string Logs(DateOnly day) => PartitionCatalog.NameOf(PartitionCatalog.LogsTable, day);

    private static Task WaitForFirstRunsAsync(AuditService service) => Eventually.TrueAsync(
        () => service.Partitions.CompletedRuns >= 1 && service.Retention.CompletedRuns >= 1, "the first partition and retention runs");

    /// <summary>Moves the clock an hour at a time, each time until the hourly partition run happened, then waits for the day's retention run.</summary>
    private static async Task AdvanceDaysAsync(AuditService service, FakeTimeProvider time, int days)
    {
        var retentionRuns = service.Retention.CompletedRuns;
        for (var hour = 0; hour < 24 * days; hour++)
        {
            var runs = service.Partitions.CompletedRuns;
            time.Advance(TimeSpan.FromHours(1));
            await Eventually.TrueAsync(() => service.Partitions.CompletedRuns > runs, "the hourly partition run");
        }
        await Eventually.TrueAsync(() => service.Retention.CompletedRuns >= retentionRuns + days, "the daily retention run");
    }
}
