using Synaxis.Audit.Contracts;
using Synaxis.Audit.Tests.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Tests.Apis;

/// <summary><c>/usage</c> sums exactly what Routing reported, per bucket, for the caller's organization only.</summary>
[Collection(AuditCollection.Name)]
public sealed class UsageApiTests(AuditFixture fixture)
{
    private AuditService Service => fixture.Service;

    [Fact]
    public async Task Every_groupBy_sums_exactly_the_usage_events_sent()
    {
        var caller = TestCaller.NewOrganization();
        var (userA, userB, keyA, groupA) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var day1 = new DateTimeOffset(2026, 3, 9, 23, 59, 59, 999, TimeSpan.Zero);
        var day2 = new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);
        var sent = new[]
        {
            TestEvents.Usage(caller.OrganizationId, "gpt-x", "paid-1", 1000, 500, 0.000123456m, 0.1m, keyA, userA, groupA, day1),
            TestEvents.Usage(caller.OrganizationId, "gpt-x", "paid-1", 7, 3, 0.000000001m, 0m, keyA, userA, groupA, day2),
            TestEvents.Usage(caller.OrganizationId, "mock-chat", "mock-free", 11, 13, 0m, 0.333333333m, null, userB, null, day2),
            TestEvents.Usage(caller.OrganizationId, "gpt-x", null, 1, 1, 1.5m, 0m, null, userB, groupA, day2.AddHours(5)),
        };
        // Another organization's usage in the same window never counts.
        var other = TestEvents.Usage(Guid.NewGuid(), "gpt-x", "paid-1", 999, 999, 9m, 9m, keyA, userA, groupA, day2);
        await Service.PublishAndWaitAsync([.. sent, other]);

        const string window = "?from=2026-03-09&to=2026-03-10";
        var expectations = new Dictionary<string, Func<UsageRecordedProjection, string?>>
        {
            ["day"] = u => u.Day,
            ["model"] = u => u.Model,
            ["provider"] = u => u.Provider,
            ["key"] = u => u.Key?.ToString(),
            ["user"] = u => u.User?.ToString(),
            ["group"] = u => u.Group?.ToString(),
        };
        var projections = sent.Select(UsageRecordedProjection.Of).ToList();
        foreach (var (groupBy, keyOf) in expectations)
        {
            var report = await Service.Api.UsageAsync(caller, $"{window}&groupBy={groupBy}");
            Assert.Equal(groupBy, report.GroupBy);
            var expected = projections.GroupBy(keyOf).ToDictionary(g => g.Key ?? "<none>", g => new UsageBucket(
                g.Key, g.Count(), g.Sum(u => u.Input), g.Sum(u => u.Output), g.Sum(u => u.Input + u.Output), g.Sum(u => u.Cost), g.Sum(u => u.Saved)));
            Assert.Equal(expected.Count, report.Items.Count);
            foreach (var item in report.Items)
            {
                Assert.Equal(expected[item.Key ?? "<none>"], item);
            }
            Assert.Equal(new UsageBucket(null, 4, 1019, 517, 1536, 1.500123457m, 0.433333333m), report.Totals);
        }
    }

    [Fact]
    public async Task The_default_is_this_month_by_day()
    {
        var caller = TestCaller.NewOrganization();
        var now = DateTimeOffset.UtcNow;
        var thisMonth = TestEvents.Usage(caller.OrganizationId, input: 5, output: 5, cost: 0.01m, occurredAt: now.AddSeconds(-1));
        var lastMonth = TestEvents.Usage(caller.OrganizationId, input: 100, output: 100, occurredAt: new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(-1));
        await Service.PublishAndWaitAsync(thisMonth, lastMonth);

        var report = await Service.Api.UsageAsync(caller);

        Assert.Equal("day", report.GroupBy);
        Assert.Equal(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), report.From);
        var bucket = Assert.Single(report.Items);
        Assert.Equal(now.UtcDateTime.ToString("yyyy-MM-dd"), bucket.Key);
        Assert.Equal(new UsageBucket(null, 1, 5, 5, 10, 0.01m, 0m), report.Totals);
    }

    [Fact]
    public async Task Another_organization_sees_none_of_the_usage()
    {
        var owner = TestCaller.NewOrganization();
        var stranger = TestCaller.NewOrganization();
        await Service.PublishAndWaitAsync(TestEvents.Usage(owner.OrganizationId, cost: 2m));

        var report = await Service.Api.UsageAsync(stranger);

        Assert.Empty(report.Items);
        Assert.Equal(0, report.Totals.Requests);
        Assert.Equal(0m, report.Totals.CostUsd);
    }

    /// <summary>What a UsageRecorded event says, read back from its envelope.</summary>
    private sealed record UsageRecordedProjection(string Day, string Model, string? Provider, Guid? Key, Guid? User, Guid? Group, long Input, long Output, decimal Cost, decimal Saved)
    {
        public static UsageRecordedProjection Of(SynaxisEvent e)
        {
            var d = e.DataAs(ServiceKit.Inference.InferenceEventsJsonContext.Default.UsageRecordedData)!;
            return new(e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd"), d.Model, d.Provider, d.KeyId, d.UserId, d.GroupId,
                d.InputTokens, d.OutputTokens, d.CostUsd, d.MoneySavedUsd);
        }
    }
}
