using System.Diagnostics;
using System.Net;
using System.Text;
using Synaxis.MockProvider.Tests.Infrastructure;

namespace Synaxis.MockProvider.Tests;

/// <summary>Faults chosen per request by <c>x-mock-*</c> headers.</summary>
[Collection(MockProviderCollection.Name)]
public sealed class FaultInjectionTests(MockProviderFixture fixture)
{
    [Fact]
    public async Task Rate_limit_is_a_429_with_retry_after()
    {
        using var defaultRetry = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(), ("x-mock-fault", "rate-limit")));
        using var customRetry = await fixture.Http.SendAsync(Requests.Post("/v1/embeddings", """{"model":"m","input":"x"}""",
            ("x-mock-fault", "rate-limit"), ("x-mock-retry-after", "7")));

        Assert.Equal(HttpStatusCode.TooManyRequests, defaultRetry.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), defaultRetry.Headers.RetryAfter?.Delta);
        Assert.Equal("rate_limit_exceeded", (await defaultRetry.ReadErrorAsync("requests")).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, customRetry.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), customRetry.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Server_error_is_a_500_envelope()
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(), ("x-mock-fault", "server-error")));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        await response.ReadErrorAsync("server_error");
    }

    [Fact]
    public async Task Faults_are_injected_before_the_body_is_read()
    {
        // A provider's outage does not depend on what was asked: even an invalid body gets the fault.
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", "{ not json", ("x-mock-fault", "server-error")));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task Hang_never_answers_until_the_client_gives_up()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var attempt = fixture.Http.SendAsync(
            Requests.Post("/v1/chat/completions", Requests.ChatBody(), ("x-mock-fault", "hang")), timeout.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt);
        Assert.True(timeout.IsCancellationRequested, "the request ended only because the client cancelled it");

        // The server let go of the hung request and still serves.
        using var next = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody()));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Hang_trips_an_http_client_timeout()
    {
        using var client = fixture.Factory.CreateHttpClient(TimeSpan.FromMilliseconds(300));

        var timedOut = await Assert.ThrowsAsync<TaskCanceledException>(() =>
            client.SendAsync(Requests.Post("/v1/embeddings", """{"model":"m","input":"x"}""", ("x-mock-fault", "hang"))));

        Assert.IsType<TimeoutException>(timedOut.InnerException);
    }

    [Fact]
    public async Task Cut_stream_sends_the_first_chunks_then_drops_the_connection_without_done()
    {
        const int cutAfter = 3;
        using var request = Requests.Post("/v1/chat/completions", Requests.ChatBody("Cut me off", stream: true, includeUsage: true),
            ("x-mock-fault", "cut-stream"), ("x-mock-cut-after", cutAfter.ToString()));
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var (received, failure) = await ReadUntilFailureAsync(response);

        Assert.NotNull(failure);
        Assert.IsAssignableFrom<IOException>(failure);
        var events = received.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cutAfter, events.Length);
        Assert.All(events, e => Assert.StartsWith("data: {", e));
        Assert.DoesNotContain("[DONE]", received);
    }

    [Fact]
    public async Task Cut_stream_after_every_chunk_still_withholds_done()
    {
        using var request = Requests.Post("/v1/completions", """{"model":"m","prompt":"short","stream":true,"max_tokens":2}""",
            ("x-mock-fault", "cut-stream"), ("x-mock-cut-after", "1000"));
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        var (received, failure) = await ReadUntilFailureAsync(response);

        Assert.IsAssignableFrom<IOException>(failure);
        Assert.Contains("\"finish_reason\":\"length\"", received);
        Assert.DoesNotContain("[DONE]", received);
    }

    [Fact]
    public async Task Cut_stream_on_a_single_answer_drops_the_connection()
    {
        var attempt = fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(), ("x-mock-fault", "cut-stream")));

        await Assert.ThrowsAsync<HttpRequestException>(() => attempt);
    }

    [Fact]
    public async Task Latency_delays_the_answer_by_at_least_the_requested_time()
    {
        const int latencyMs = 300;
        var clock = Stopwatch.StartNew();

        using var response = await fixture.Http.SendAsync(
            Requests.Post("/v1/chat/completions", Requests.ChatBody(), ("x-mock-latency-ms", latencyMs.ToString())));

        clock.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A lower bound only: a loaded machine may always be slower. 5 ms covers timer granularity.
        Assert.True(clock.ElapsedMilliseconds >= latencyMs - 5, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Latency_comes_before_a_fault()
    {
        var clock = Stopwatch.StartNew();

        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(),
            ("x-mock-latency-ms", "200"), ("x-mock-fault", "server-error")));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= 195, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("x-mock-fault", "explode")]
    [InlineData("x-mock-latency-ms", "soon")]
    [InlineData("x-mock-latency-ms", "-5")]
    [InlineData("x-mock-cut-after", "x")]
    public async Task A_fault_header_the_mock_does_not_understand_is_a_400(string header, string value)
    {
        using var response = await fixture.Http.SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody(), (header, value)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(header, (await response.ReadErrorAsync("invalid_request_error")).GetProperty("param").GetString());
    }

    private static async Task<(string Received, Exception? Failure)> ReadUntilFailureAsync(HttpResponseMessage response)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (Exception exception)
        {
            return (received.ToString(), exception);
        }

        return (received.ToString(), null);
    }
}
