using StackExchange.Redis;
using Synaxis.RateLimit.Admission;
using Synaxis.ServiceKit.Admission;

namespace Synaxis.RateLimit.Tests.Usage;

[Collection(RedisCollection.Name)]
public sealed class UsageCalculatorTests(RedisFixture fixture)
{
    private static readonly long Day0 = new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly string _org = "o" + Guid.NewGuid().ToString("N");

    private async Task<Dictionary<string, string>> Counters(string id)
    {
        var entries = await fixture.Redis.GetDatabase().HashGetAllAsync(AdmissionKeys.Level(_org, LimitLevel.User, id));
        return entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
    }

    [Fact]
    public async Task Agrees_with_the_admission_script_at_every_step()
    {
        var policy = new LimitPolicy(RequestsPerMinute: 7, TokensPerMinute: 1000, TokensPerDay: 5000, MonthlyBudgetUsd: 2m);
        var now = Day0 + 1234;
        for (var i = 0; i < 6; i++)
        {
            var result = await fixture.Controller.AdmitAsync(new AdmissionRequest(
                _org, [new AdmissionLevel(LimitLevel.User, "u", policy)], 150, 100_000, Guid.NewGuid().ToString("N")) { NowMs = now });
            Assert.True(result.Admitted);
            var usage = UsageCalculator.Compute(await Counters("u"), policy, now);
            Assert.Equal(result.Requests!.Remaining, usage.Requests!.Remaining);
            Assert.Equal(result.Requests.Reset, usage.Requests.Reset);
            Assert.Equal(result.Tokens!.Remaining, usage.Tokens!.Remaining);
            Assert.Equal(result.Tokens.Reset, usage.Tokens.Reset);
            Assert.Equal(150 * (i + 1), usage.TokensToday!.Used);
            Assert.Equal(100_000 * (i + 1), usage.BudgetMicroUsd!.Used);
            now += 3_700;
        }
    }

    [Fact]
    public void Empty_counters_are_a_full_allowance()
    {
        var usage = UsageCalculator.Compute(new Dictionary<string, string>(), new LimitPolicy(10, 100, 1000, 1m), Day0 + 5);
        Assert.Equal(new WindowUsage(10, 10, TimeSpan.Zero), usage.Requests);
        Assert.Equal(100, usage.Tokens!.Remaining);
        Assert.Equal(new PeriodUsage(1000, 0, 1000, DateTimeOffset.FromUnixTimeMilliseconds(Day0 + UsageCalculator.DayMs)), usage.TokensToday);
        Assert.Equal(new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero), usage.BudgetMicroUsd!.ResetsAt);
        Assert.Equal(1_000_000, usage.BudgetMicroUsd.Remaining);
    }

    [Fact]
    public void Backlog_drains_with_time_and_stale_periods_do_not_count()
    {
        // 5 requests of a 10/min limit admitted at Day0: TAT = Day0 + 30 s.
        var counters = new Dictionary<string, string>
        {
            ["rq_d"] = (5 * 60_000L).ToString(), ["rq_at"] = Day0.ToString(),
            ["day"] = (Day0 / UsageCalculator.DayMs - 1).ToString(), ["day_used"] = "999",
            ["mon"] = "0", ["mon_spent"] = "5",
        };
        var policy = new LimitPolicy(RequestsPerMinute: 10, TokensPerDay: 1000, MonthlyBudgetUsd: 1m);
        var at0 = UsageCalculator.Compute(counters, policy, Day0);
        Assert.Equal(5, at0.Requests!.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(30), at0.Requests.Reset);
        var later = UsageCalculator.Compute(counters, policy, Day0 + 12_000);
        Assert.Equal(7, later.Requests!.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(18), later.Requests.Reset);
        Assert.Equal(10, UsageCalculator.Compute(counters, policy, Day0 + 31_000).Requests!.Remaining);
        Assert.Equal(0, at0.TokensToday!.Used);
        Assert.Equal(0, at0.BudgetMicroUsd!.Used);
        Assert.Null(at0.Tokens);
    }
}
