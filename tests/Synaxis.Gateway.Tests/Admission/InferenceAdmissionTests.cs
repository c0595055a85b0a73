using System.Net;
using System.Net.Http.Json;
using System.Text;
using Synaxis.Gateway.Admission;
using Synaxis.ServiceKit.Admission;
using Synaxis.ServiceKit.Inference;

namespace Synaxis.Gateway.Tests.Admission;

[Collection(AdmissionCollection.Name)]
public sealed class InferenceAdmissionTests(AdmissionFixture fixture) : IDisposable
{
    private readonly HttpClient _first = fixture.First.CreateRealClient();
    private readonly HttpClient _second = fixture.Second.CreateRealClient();
    private readonly Guid _org = Guid.NewGuid();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    private TestTokens Caller(params Guid[] groups) => new() { OrganizationId = _org, Groups = groups };

    [Fact]
    public async Task Sixty_four_parallel_requests_across_two_gateways_admit_exactly_fifty()
    {
        var caller = Caller();
        await fixture.SetPolicyAsync(_org, LimitLevel.User, caller.UserId, new LimitPolicy(RequestsPerMinute: 50));
        // Warm both gateways (connections, scripts, JIT) on another organization so the burst is one burst: GCRA frees
        // one request every 1.2 s at this limit.
        var warm = new TestTokens().Mint();
        foreach (var client in new[] { _first, _second })
        {
            using var response = await Inference.PostAsync(client, warm);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var token = caller.Mint();
        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, 64).Select(async i =>
        {
            await start.WaitAsync();
            return await Inference.PostAsync(i % 2 == 0 ? _first : _second, token);
        }).ToArray();
        start.Release(64);
        var responses = await Task.WhenAll(requests);

        try
        {
            Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToArray();
            Assert.Equal(14, refused.Length);
            foreach (var response in refused)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.Equal("rate_limit_exceeded", (await Inference.ErrorAsync(response)).Code);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("50", Inference.Header(response, RateLimitHeaders.LimitRequests));
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_group_limit_stops_every_user_of_the_group_and_no_one_else()
    {
        var group = Guid.NewGuid();
        await fixture.SetPolicyAsync(_org, LimitLevel.Group, group, new LimitPolicy(RequestsPerMinute: 3));
        var alice = Caller(group).Mint();
        var bob = Caller(group).Mint();
        var carol = Caller(Guid.NewGuid()).Mint();

        foreach (var (client, token) in new[] { (_first, alice), (_second, bob), (_first, alice) })
        {
            using var admitted = await Inference.PostAsync(client, token);
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }
        using var refused = await Inference.PostAsync(_second, bob);
        using var outsider = await Inference.PostAsync(_second, carol);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("group", (await Inference.ErrorAsync(refused)).Message);
        Assert.Equal(HttpStatusCode.OK, outsider.StatusCode);
    }

    [Fact]
    public async Task An_organization_limit_stops_everyone_in_it()
    {
        await fixture.SetPolicyAsync(_org, LimitLevel.Organization, _org, new LimitPolicy(RequestsPerMinute: 2));
        using var one = await Inference.PostAsync(_first, Caller().Mint());
        using var two = await Inference.PostAsync(_second, Caller().Mint());
        using var three = await Inference.PostAsync(_first, Caller(Guid.NewGuid()).Mint());
        using var elsewhere = await Inference.PostAsync(_first, new TestTokens().Mint());

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, three.StatusCode);
        Assert.Contains("organization", (await Inference.ErrorAsync(three)).Message);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Headers_name_the_tightest_level_and_count_what_was_reserved()
    {
        var caller = Caller();
        await fixture.SetPolicyAsync(_org, LimitLevel.User, caller.UserId, new LimitPolicy(RequestsPerMinute: 10, TokensPerMinute: 100_000, TokensPerDay: 1_000_000));
        await fixture.SetPolicyAsync(_org, LimitLevel.Organization, _org, new LimitPolicy(RequestsPerMinute: 1000, TokensPerMinute: 5_000));
        var token = caller.Mint();
        var body = Inference.Chat("Tell me about admission control.", maxTokens: 200);
        var bytes = await JsonContent.Create(body).ReadAsByteArrayAsync();
        var estimate = InferenceRequest.TryRead(bytes, out _)!.Value.EstimateTokens(completes: true);

        HttpResponseMessage? last = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            last = await Inference.PostAsync(i % 2 == 0 ? _first : _second, token, body);
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        }
        using var third = last!;
        var elapsed = clock.Elapsed.TotalMinutes;

        // Requests: the user's 10/min is tighter than the organization's 1000/min. GCRA gives capacity back
        // continuously, so what came back while the three requests ran may show too.
        Assert.Equal("10", Inference.Header(third, RateLimitHeaders.LimitRequests));
        Assert.InRange(long.Parse(Inference.Header(third, RateLimitHeaders.RemainingRequests)!), 7, 7 + (long)(elapsed * 10));
        Assert.NotNull(Inference.Header(third, RateLimitHeaders.ResetRequests));
        // Tokens: the organization's 5000/min is tighter; three reservations of the estimate are counted.
        Assert.Equal("5000", Inference.Header(third, RateLimitHeaders.LimitTokens));
        Assert.InRange(long.Parse(Inference.Header(third, RateLimitHeaders.RemainingTokens)!),
            5_000 - 3 * estimate, 5_000 - 3 * estimate + (long)Math.Ceiling(elapsed * 5_000));
        // The day counter in Redis holds the same three reservations.
        var userLevel = AdmissionKeys.Level(_org.ToString(), LimitLevel.User, caller.UserId.ToString());
        Assert.Equal(3 * estimate, (long)await fixture.Connection.GetDatabase().HashGetAsync(userLevel, "day_used"));
    }

    [Fact]
    public async Task The_reservation_reaches_routing_and_a_spent_budget_answers_insufficient_quota()
    {
        await fixture.SetPolicyAsync(_org, LimitLevel.Organization, _org, new LimitPolicy(MonthlyBudgetUsd: 1.00m));
        var token = Caller().Mint();

        using var admitted = await Inference.PostAsync(_first, token, configure: r => r.Headers.Add(InferenceHeaders.Reservation, "forged"));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        var echo = (await admitted.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions))!;
        var reservation = Assert.Single(echo.Header(InferenceHeaders.Reservation));
        Assert.NotEqual("forged", reservation);

        // Routing reports the answer's cost: $1.50 spends the $1.00 budget.
        var controller = new RedisAdmissionController(fixture.Connection);
        var reconciled = await controller.ReconcileAsync(_org.ToString(), reservation, 120, MicroUsd.FromUsd(1.50m));
        Assert.Equal(ReconcileOutcome.Reconciled, reconciled.Outcome);

        using var refused = await Inference.PostAsync(_second, token);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = await Inference.ErrorAsync(refused);
        Assert.Equal("insufficient_quota", error.Code);
        Assert.Equal("insufficient_quota", error.Type);
    }

    [Fact]
    public async Task Without_a_tokens_or_budget_limit_no_reservation_is_forwarded_and_none_can_be_forged()
    {
        using var response = await Inference.PostAsync(_first, Caller().Mint(), configure: r => r.Headers.Add(InferenceHeaders.Reservation, "forged"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = (await response.Content.ReadFromJsonAsync<EchoedRequest>(EchoedRequest.JsonOptions))!;
        Assert.Empty(echo.Header(InferenceHeaders.Reservation));
        Assert.Null(Inference.Header(response, RateLimitHeaders.LimitRequests)); // no limit applies: no headers to show
    }

    [Theory]
    [InlineData("/v1/chat/completions/")]
    [InlineData("/V1/Chat/Completions")]
    [InlineData("/v1/embeddings")]
    [InlineData("/v1/completions")]
    public async Task Every_inference_spelling_is_admitted(string path)
    {
        await fixture.SetPolicyAsync(_org, LimitLevel.Organization, _org, new LimitPolicy(RequestsPerMinute: 1));
        var token = Caller().Mint();
        object body = path.Contains("embeddings", StringComparison.OrdinalIgnoreCase)
            ? new { model = "mock-embed", input = new[] { "a", "b" } }
            : new { model = "mock-small", prompt = "Say hi" };
        using var first = await Inference.PostAsync(_first, token, body, path);
        using var second = await Inference.PostAsync(_second, token, body, path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }

    [Fact]
    public async Task Listing_models_is_not_counted()
    {
        await fixture.SetPolicyAsync(_org, LimitLevel.Organization, _org, new LimitPolicy(RequestsPerMinute: 1));
        var token = Caller().Mint();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
            request.Headers.Authorization = new("Bearer", token);
            using var response = await _first.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var inference = await Inference.PostAsync(_first, token);
        Assert.Equal(HttpStatusCode.OK, inference.StatusCode);
    }

    [Theory]
    [InlineData("{\"model\": \"mock-small\", \"messages\": [", "parse")]
    [InlineData("{\"messages\": []}", "model")]
    [InlineData("[1, 2]", "object")]
    [InlineData("{\"model\": \"mock-small\", \"max_tokens\": -1}", "max_tokens")]
    public async Task A_body_admission_cannot_read_answers_400_in_openai_shape(string body, string mentioned)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", Caller().Mint());
        using var response = await _first.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await Inference.ErrorAsync(response);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Contains(mentioned, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_body_over_the_limit_answers_413_without_being_forwarded()
    {
        var text = new string('a', 16 * 1024 * 1024);
        using var response = await Inference.PostAsync(_first, Caller().Mint(), Inference.Chat(text));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (await Inference.ErrorAsync(response)).Code);
    }
}
