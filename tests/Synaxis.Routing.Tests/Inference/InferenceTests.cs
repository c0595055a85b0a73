using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Routing.Catalog;
using Synaxis.Routing.Infrastructure;
using Synaxis.Routing.Inference;
using Synaxis.Routing.Model;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Routing.Tests.Inference;

[Collection(InferenceCollection.Name)]
public sealed class InferenceTests(InferenceFixture fixture)
{
    private readonly Guid _org = Guid.NewGuid();

    [Fact]
    public async Task The_first_run_catalog_answers_a_chat_completion_from_the_free_mock_with_the_model_asked_for()
    {
        var chat = fixture.Client(_org).GetChatClient(MockCatalogSeeder.ChatModel);

        var result = await chat.CompleteChatAsync([new UserChatMessage("Say hello")]);

        Assert.Equal(MockCatalogSeeder.ChatModel, result.Value.Model);
        Assert.False(string.IsNullOrEmpty(result.Value.Content[0].Text));
        Assert.True(result.Value.Usage.InputTokenCount > 0);
        Assert.Equal(MockCatalogSeeder.FreeProvider, result.Header(InferenceProxy.ProviderHeader));
        Assert.Equal("free", result.Header(InferenceProxy.TierHeader));
        Assert.Equal("0", result.Header(InferenceProxy.CostHeader));
        // Saved: the same tokens at the paid mock's prices.
        var expected = Pricing.Cost(result.Value.Usage.InputTokenCount, result.Value.Usage.OutputTokenCount,
            MockCatalogSeeder.PaidInputPricePer1M, MockCatalogSeeder.PaidOutputPricePer1M);
        Assert.Equal(Pricing.Format(expected), result.Header(InferenceProxy.SavedHeader));
    }

    [Fact]
    public async Task A_miser_alias_resolves_and_a_streamed_answer_arrives_in_chunks_without_usage_unless_asked()
    {
        using var http = new HttpClient();
        using var request = fixture.Request(HttpMethod.Post, "v1/chat/completions", _org,
            JsonContent.Create(new { model = "miser-fast", stream = true, messages = new[] { new { role = "user", content = "Tell me a story" } } }));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(events.Length > 3);
        Assert.Equal("data: [DONE]", events[^1].Trim());
        Assert.All(events[..^1], e => Assert.Contains("\"model\":\"miser-fast\"", e));
        // Routing asked the upstream for usage on its own behalf (for the cost); the client did not ask, so no usage chunk.
        Assert.DoesNotContain(events, e => e.Contains("\"choices\":[]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stream_shows_usage_when_the_client_asks_for_it()
    {
        var chat = fixture.Client(_org).GetChatClient(MockCatalogSeeder.ChatModel);
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { }))
        {
            usage ??= update.Usage;
        }
        // The OpenAI .NET client asks for include_usage on streams by default.
        Assert.NotNull(usage);
        Assert.True(usage!.OutputTokenCount > 0);
    }

    [Fact]
    public async Task Miser_mode_refuses_paid_only_models_with_a_clear_error_and_uses_them_once_paid_fallback_is_allowed()
    {
        await fixture.AddProviderAsync(_org, "paid-only", fixture.Healthy, isFree: false, "premium", input: 2.5m, output: 10m);
        var chat = fixture.Client(_org).GetChatClient("premium");

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(403, refused.Status);
        Assert.Contains("allowPaidFallback", refused.Message);

        await fixture.SetStrategyAsync(_org, RoutingStrategyTypes.Miser, allowPaidFallback: true);
        var result = await chat.CompleteChatAsync([new UserChatMessage("hi")]);
        Assert.Equal("paid", result.Header(InferenceProxy.TierHeader));
        var usage = result.Value.Usage;
        Assert.Equal(Pricing.Format(Pricing.Cost(usage.InputTokenCount, usage.OutputTokenCount, 2.5m, 10m)), result.Header(InferenceProxy.CostHeader));
    }

    [Theory]
    [InlineData("rate-limited")]
    [InlineData("failing")]
    [InlineData("hanging")]
    public async Task A_failing_free_provider_falls_back_to_the_next_candidate(string which)
    {
        var broken = which switch { "rate-limited" => fixture.RateLimited, "failing" => fixture.Failing, _ => fixture.Hanging };
        await fixture.AddProviderAsync(_org, "broken-" + which, broken, isFree: true, "fallback-model");
        await fixture.AddProviderAsync(_org, "backup", fixture.Healthy, isFree: true, "fallback-model", input: 0.0m);
        // Ranking puts the healthier first; both are unmeasured, so make the broken one win by price order: same price,
        // so the order between equals is the catalog's. Either way the answer must come from the backup.
        var chat = fixture.Client(_org).GetChatClient("fallback-model");

        var result = await chat.CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("backup", result.Header(InferenceProxy.ProviderHeader));
        Assert.Equal("fallback-model", result.Value.Model);
    }

    [Fact]
    public async Task An_exhausted_free_tier_is_skipped_before_it_is_called()
    {
        await fixture.AddProviderAsync(_org, "tiny-free-tier", fixture.Healthy, isFree: true, "quota-model", freeRequestsPerDay: 1);
        await fixture.AddProviderAsync(_org, "spare", fixture.Healthy, isFree: true, "quota-model", input: 0.01m);
        var chat = fixture.Client(_org).GetChatClient("quota-model");

        var first = await chat.CompleteChatAsync([new UserChatMessage("hi")]);
        var second = await chat.CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("tiny-free-tier", first.Header(InferenceProxy.ProviderHeader));
        Assert.Equal("spare", second.Header(InferenceProxy.ProviderHeader));
    }

    [Fact]
    public async Task Only_failing_providers_answer_502_and_only_hanging_ones_504_in_openai_shape()
    {
        await fixture.AddProviderAsync(_org, "failing", fixture.Failing, isFree: true, "doomed");
        await fixture.AddProviderAsync(_org, "hanging", fixture.Hanging, isFree: true, "stuck");
        var client = fixture.Client(_org);

        var failed = await Assert.ThrowsAsync<ClientResultException>(() => client.GetChatClient("doomed").CompleteChatAsync([new UserChatMessage("hi")]));
        var timedOut = await Assert.ThrowsAsync<ClientResultException>(() => client.GetChatClient("stuck").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(502, failed.Status);
        Assert.Equal(504, timedOut.Status);
        Assert.Contains("upstream_timeout", timedOut.GetRawResponse()!.Content.ToString());
    }

    [Fact]
    public async Task Repeated_failures_open_the_circuit_which_is_recorded_with_a_provider_health_changed_event()
    {
        var sickly = await fixture.AddProviderAsync(_org, "sickly", fixture.Failing, isFree: true, "sick-model");
        var chat = fixture.Client(_org).GetChatClient("sick-model");
        for (var i = 0; i < ProviderHealth.FailuresToOpen; i++)
        {
            Assert.Equal(502, (await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]))).Status);
        }
        // Open: the provider is not even called now.
        Assert.Equal(503, (await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]))).Status);

        await fixture.Routing.Services.GetRequiredService<ProviderHealthRecorder>().RecordAsync();

        await using var scope = fixture.Routing.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        var row = await db.ProviderHealth.SingleAsync(h => h.ProviderId == sickly.Id);
        Assert.Equal(CircuitStates.Open, row.CircuitState);
        Assert.Equal(0, row.Score);
        var events = await db.Outbox.Where(o => o.Type == ProviderHealthChangedData.EventType && o.OrganizationId == _org).ToListAsync();
        Assert.Contains(events, e => e.Payload.Contains(sickly.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_probe_closes_the_circuit_of_a_provider_that_answers_again_after_its_cooldown()
    {
        var flaky = await fixture.AddProviderAsync(_org, "recovering", fixture.Healthy, isFree: true, "probe-model");
        var health = fixture.Routing.Services.GetRequiredService<ProviderHealth>();
        for (var i = 0; i < ProviderHealth.FailuresToOpen; i++)
        {
            health.TryAcquire(flaky.Id);
            health.Failure(flaky.Id); // as if its last calls had failed
        }
        Assert.Equal(CircuitStates.Open, health.Of(flaky.Id).CircuitState);

        await Task.Delay(health.OpenFor + TimeSpan.FromMilliseconds(100));
        await fixture.Routing.Services.GetRequiredService<ProviderProbe>().ProbeAsync();

        Assert.Equal(CircuitStates.Closed, health.Of(flaky.Id).CircuitState);
    }

    [Fact]
    public async Task A_stream_cut_by_the_upstream_ends_with_an_sse_error_event()
    {
        await fixture.AddProviderAsync(_org, "cutter", fixture.Cutting, isFree: true, "fragile");
        using var http = new HttpClient();
        using var request = fixture.Request(HttpMethod.Post, "v1/chat/completions", _org,
            JsonContent.Create(new { model = "fragile", stream = true, messages = new[] { new { role = "user", content = "Tell me a long story" } } }));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"model\":\"fragile\"", body);
        Assert.Contains("upstream_stream_cut", body);
        Assert.DoesNotContain("[DONE]", body);
    }

    [Fact]
    public async Task An_anthropic_provider_answers_the_openai_client_whole_and_streamed_with_exact_usage_and_cost()
    {
        await using var anthropic = await FakeAnthropic.StartAsync();
        await fixture.AddProviderAsync(_org, "claude", anthropic.BaseAddress, ProviderKinds.Anthropic, FakeAnthropic.ApiKey, isFree: false,
            "claude-sonnet", input: 3m, output: 15m);
        await fixture.SetStrategyAsync(_org, RoutingStrategyTypes.Cost, allowPaidFallback: true);
        var chat = fixture.Client(_org).GetChatClient("claude-sonnet");

        var whole = await chat.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hello?")]);
        Assert.Equal("claude-sonnet", whole.Value.Model);
        Assert.Equal("Hello from Claude", whole.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, whole.Value.FinishReason);
        Assert.Equal(FakeAnthropic.InputTokens, whole.Value.Usage.InputTokenCount);
        Assert.Equal(FakeAnthropic.OutputTokens, whole.Value.Usage.OutputTokenCount);
        Assert.Equal(Pricing.Format(Pricing.Cost(FakeAnthropic.InputTokens, FakeAnthropic.OutputTokens, 3m, 15m)), whole.Header(InferenceProxy.CostHeader));
        // The translation: upstream model, system prompt lifted out, max_tokens set, Anthropic's headers.
        Assert.Equal("upstream-claude-sonnet", anthropic.LastBody!.Value.GetProperty("model").GetString());
        Assert.Equal("Be brief.", anthropic.LastBody.Value.GetProperty("system").ToString());
        Assert.True(anthropic.LastBody.Value.GetProperty("max_tokens").GetInt32() > 0);
        Assert.Equal("2023-06-01", anthropic.LastVersion);

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream it")]))
        {
            Assert.Equal("claude-sonnet", update.Model);
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            usage ??= update.Usage;
        }
        Assert.Equal("Hello from Claude", text.ToString());
        Assert.Equal(FakeAnthropic.OutputTokens, usage!.OutputTokenCount);
        Assert.Equal(FakeAnthropic.InputTokens, usage.InputTokenCount);
    }

    [Fact]
    public async Task Identity_settings_set_the_strategy_and_the_baseline_money_saved_is_measured_against()
    {
        await fixture.AddProviderAsync(_org, "free-one", fixture.Healthy, isFree: true, "thrifty");
        await fixture.AddProviderAsync(_org, "baseline-host", fixture.Healthy, isFree: false, "flagship", input: 10m, output: 30m);
        await fixture.PublishIdentityEventAsync("SettingsChanged", _org, new
        {
            before = (object?)null,
            after = new { auditRetentionDays = 90, routingStrategy = "miser", allowPaidFallback = true, baselineModel = "flagship" },
        });
        // The commit announces a catalog change, reloaded in the background; load it now so the request sees it.
        await fixture.Routing.Services.GetRequiredService<CatalogCache>().ReloadAsync();

        var result = await fixture.Client(_org).GetChatClient("thrifty").CompleteChatAsync([new UserChatMessage("hi")]);

        var usage = result.Value.Usage;
        Assert.Equal("0", result.Header(InferenceProxy.CostHeader));
        Assert.Equal(Pricing.Format(Pricing.Cost(usage.InputTokenCount, usage.OutputTokenCount, 10m, 30m)), result.Header(InferenceProxy.SavedHeader));
        await using var scope = fixture.Routing.Services.CreateAsyncScope();
        var strategy = await scope.ServiceProvider.GetRequiredService<RoutingDbContext>().RoutingStrategies.SingleAsync(s => s.OrganizationId == _org);
        Assert.True(strategy.AllowPaidFallback);
        Assert.Equal("flagship", strategy.BaselineModel);
    }

    [Fact]
    public async Task An_azure_openai_provider_is_called_at_its_deployment_url_with_its_api_key_and_api_version()
    {
        await using var azure = await FakeAzureOpenAI.StartAsync();
        await fixture.AddProviderAsync(_org, "azure", azure.BaseAddress, ProviderKinds.AzureOpenAI, FakeAzureOpenAI.ApiKey, isFree: true,
            "gpt-4o", apiVersion: FakeAzureOpenAI.ApiVersion);

        var result = await fixture.Client(_org).GetChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("upstream-gpt-4o", azure.LastDeployment);
        Assert.Equal("gpt-4o", result.Value.Model); // the name asked for, not Azure's own
        Assert.Equal("Hello from Azure", result.Value.Content[0].Text);
        Assert.Equal(13, result.Value.Usage.TotalTokenCount);
        Assert.Equal("azure", result.Header(InferenceProxy.ProviderHeader));
    }

    [Fact]
    public async Task Unknown_models_answer_404_and_bad_bodies_400_in_openai_shape()
    {
        using var http = new HttpClient();
        using var unknown = await http.SendAsync(fixture.Request(HttpMethod.Post, "v1/chat/completions", _org,
            JsonContent.Create(new { model = "no-such-model", messages = Array.Empty<object>() })));
        using var bad = await http.SendAsync(fixture.Request(HttpMethod.Post, "v1/chat/completions", _org,
            new StringContent("{\"model\": ", Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("model_not_found", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("invalid_request_error", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Embeddings_and_models_list_what_the_organization_can_use_and_nothing_of_another_organization()
    {
        await fixture.AddProviderAsync(_org, "mine", fixture.Healthy, isFree: true, "my-private-model", aliases: ["my-alias"]);
        var other = Guid.NewGuid();
        await fixture.AddProviderAsync(other, "theirs", fixture.Healthy, isFree: true, "their-private-model");
        var client = fixture.Client(_org);

        var embedding = await client.GetEmbeddingClient(MockCatalogSeeder.EmbeddingModel).GenerateEmbeddingAsync("hello");
        var models = (await client.GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToArray();
        var theirs = await Assert.ThrowsAsync<ClientResultException>(() => client.GetChatClient("their-private-model").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.True(embedding.Value.ToFloats().Length > 0);
        Assert.Contains("my-private-model", models);
        Assert.Contains("my-alias", models);
        Assert.Contains(MockCatalogSeeder.ChatModel, models);
        Assert.Contains("miser-coding", models);
        Assert.DoesNotContain("their-private-model", models);
        Assert.Equal(404, theirs.Status);
        Assert.Equal("my-alias", (await client.GetOpenAIModelClient().GetModelAsync("my-alias")).Value.Id);
    }

    [Fact]
    public async Task Each_answer_publishes_usage_recorded_with_the_reservation_and_the_exact_cost()
    {
        await fixture.AddProviderAsync(_org, "priced", fixture.Healthy, isFree: false, "priced-model", input: 1.25m, output: 5m);
        await fixture.SetStrategyAsync(_org, RoutingStrategyTypes.Cost, allowPaidFallback: true);
        var reservation = Guid.NewGuid().ToString("N");
        var result = await fixture.Client(_org, reservation: reservation).GetChatClient("priced-model").CompleteChatAsync([new UserChatMessage("hi")]);

        var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        await using (redis)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            JsonElement? data = null;
            while (data is null)
            {
                foreach (var entry in await redis.GetDatabase().StreamRangeAsync(EventStreams.UsageOf(fixture.EventStream)))
                {
                    var payload = entry.Values.FirstOrDefault(v => v.Name == "payload").Value;
                    using var json = JsonDocument.Parse((string)payload!);
                    if (json.RootElement.GetProperty("type").GetString() == "UsageRecorded"
                        && json.RootElement.GetProperty("data").GetProperty("reservationId").GetString() == reservation)
                    {
                        data = json.RootElement.GetProperty("data").Clone();
                        Assert.Equal(_org, json.RootElement.GetProperty("organizationId").GetGuid());
                        // One per inference: a plain append, no once-only marker key left behind in Redis per request.
                        var eventId = json.RootElement.GetProperty("id").GetGuid();
                        Assert.False(await redis.GetDatabase().KeyExistsAsync(
                            EventStreams.PublishedMarkerOf(EventStreams.UsageOf(fixture.EventStream), eventId)));
                    }
                }
                Assert.True(data is not null || DateTime.UtcNow < deadline, "no UsageRecorded event with the reservation");
                await Task.Delay(100);
            }
            var usage = result.Value.Usage;
            Assert.Equal(usage.InputTokenCount, data!.Value.GetProperty("inputTokens").GetInt64());
            Assert.Equal(usage.OutputTokenCount, data.Value.GetProperty("outputTokens").GetInt64());
            Assert.Equal(Pricing.Cost(usage.InputTokenCount, usage.OutputTokenCount, 1.25m, 5m), data.Value.GetProperty("costUsd").GetDecimal());
            Assert.Equal("priced", data.Value.GetProperty("provider").GetString());
            Assert.Equal("priced-model", data.Value.GetProperty("model").GetString());
        }
    }
}
