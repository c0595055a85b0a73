using System.Net;
using StackExchange.Redis;
using Synaxis.Gateway.Admission;
using Synaxis.ServiceKit.Admission;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.Admission;

/// <summary>
/// redis-server killed mid-run: an open gateway keeps limiting with its local share of the last-known limits
/// (and refuses what has a budget), a closed one refuses everything with 503, and both count in Redis again once it
/// is back. Its own Redis and gateways: killing the shared one would break the other tests.
/// </summary>
public sealed class AdmissionFailureModeTests : IAsyncLifetime
{
    private readonly Guid _org = Guid.NewGuid();
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private EchoBackend _backend = null!;
    private KestrelServiceFactory<Program> _open = null!;
    private KestrelServiceFactory<Program> _closed = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        _backend = await EchoBackend.StartAsync();
        _open = AdmissionFixture.Start(Settings("Open"));
        _closed = AdmissionFixture.Start(Settings("Closed"));
    }

    private Dictionary<string, string?> Settings(string mode)
    {
        var settings = AdmissionFixture.Settings(_backend.BaseAddress, _redis);
        settings["RateLimit:FailureMode"] = mode;
        settings["RateLimit:LocalShare"] = "0.5";
        settings["RateLimit:RedisTimeout"] = "00:00:00.300";
        settings["RateLimit:RetryRedisAfter"] = "00:00:00.200";
        return settings;
    }

    public async Task DisposeAsync()
    {
        await _open.DisposeAsync();
        await _closed.DisposeAsync();
        await _backend.DisposeAsync();
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Task SetPolicyAsync(LimitLevel level, Guid id, LimitPolicy policy) =>
        new PolicyMirrorWriter(_connection).WriteAsync([
            new PolicyMirrorEntry(_org.ToString(), level, id.ToString(), policy, false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        ]);

    [Fact]
    public async Task The_failure_mode_holds_while_redis_is_down_and_limits_count_in_redis_again_after_restart()
    {
        var limited = new TestTokens { OrganizationId = _org, Groups = [] };
        var budgeted = new TestTokens { OrganizationId = _org, Groups = [Guid.NewGuid()] };
        await SetPolicyAsync(LimitLevel.User, limited.UserId, new LimitPolicy(RequestsPerMinute: 10));
        await SetPolicyAsync(LimitLevel.Group, budgeted.Groups[0], new LimitPolicy(MonthlyBudgetUsd: 5m));
        using var open = _open.CreateRealClient();
        using var closed = _closed.CreateRealClient();

        // While Redis answers, every gateway learns the policies from its admissions.
        foreach (var client in new[] { open, closed })
        {
            using var first = await Inference.PostAsync(client, limited.Mint());
            using var budget = await Inference.PostAsync(client, budgeted.Mint());
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, budget.StatusCode);
            Assert.Null(Inference.Header(first, InferenceAdmissionMiddleware.LocalAdmissionHeader));
        }

        await _redis.StopAsync();

        // Open: half of the user's 10/min on this instance, counted locally, then 429.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await Inference.PostAsync(open, limited.Mint());
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("local", Inference.Header(response, InferenceAdmissionMiddleware.LocalAdmissionHeader));
                Assert.Equal("5", Inference.Header(response, RateLimitHeaders.LimitRequests));
            }
        }
        Assert.Equal(5, answers.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(3, answers.Count(s => s == HttpStatusCode.TooManyRequests));

        // Budgets are closed even in open mode: a spend that cannot be checked is not made.
        using (var budget = await Inference.PostAsync(open, budgeted.Mint()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, budget.StatusCode);
            Assert.Contains("budget", (await Inference.ErrorAsync(budget)).Message);
        }
        // An unlimited caller of the same organization still passes.
        using (var unlimited = await Inference.PostAsync(open, new TestTokens { OrganizationId = _org, Groups = [] }.Mint()))
        {
            Assert.Equal(HttpStatusCode.OK, unlimited.StatusCode);
        }
        // Closed: nothing passes.
        using (var refused = await Inference.PostAsync(closed, limited.Mint()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("service_unavailable", (await Inference.ErrorAsync(refused)).Code);
        }

        await _redis.RestartAsync();

        // Recovery needs nobody: within seconds both gateways count in Redis again (no local marker).
        var fresh = new TestTokens { OrganizationId = _org, Groups = [] };
        await SetPolicyAsync(LimitLevel.User, fresh.UserId, new LimitPolicy(RequestsPerMinute: 3));
        foreach (var client in new[] { open, closed })
        {
            await WaitUntilAdmittedByRedisAsync(client, new TestTokens { OrganizationId = _org, Groups = [] }.Mint());
        }
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await Inference.PostAsync(i % 2 == 0 ? open : closed, fresh.Mint());
            statuses.Add(response.StatusCode);
            Assert.Null(Inference.Header(response, InferenceAdmissionMiddleware.LocalAdmissionHeader));
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    private static async Task WaitUntilAdmittedByRedisAsync(HttpClient client, string token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await Inference.PostAsync(client, token);
            if (response.StatusCode == HttpStatusCode.OK && Inference.Header(response, InferenceAdmissionMiddleware.LocalAdmissionHeader) is null)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The gateway did not count in Redis again within 30 s (last answer {(int)response.StatusCode}).");
            await Task.Delay(100);
        }
    }
}
