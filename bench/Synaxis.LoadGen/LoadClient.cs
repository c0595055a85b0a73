using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Synaxis.LoadGen;

internal enum Outcome : byte
{
    NotDone = 0,
    Success = 1,
    NonSuccess = 2,
    Exception = 3,
}

/// <summary>One pooled HttpClient (at most --connections connections to the target) and the request the options describe.</summary>
internal sealed class LoadClient : IDisposable
{
    private readonly Options _options;
    private readonly HttpClient _client;
    private readonly MediaTypeHeaderValue? _contentType;
    private readonly List<KeyValuePair<string, string>> _requestHeaders = [];
    private readonly List<KeyValuePair<string, string>> _contentHeaders = [];
    private string? _firstFailure;

    public LoadClient(Options options)
    {
        _options = options;
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        })
        {
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
        };
        foreach (var header in options.Headers)
        {
            if (header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                _contentType = MediaTypeHeaderValue.Parse(header.Value);
            }
            else if (header.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                _contentHeaders.Add(header);
            }
            else
            {
                _requestHeaders.Add(header);
            }
        }
        _contentType ??= options.Body is null ? null : new MediaTypeHeaderValue("application/json");
    }

    /// <summary>The first failure seen (status and the start of its body, or the exception), for the summary.</summary>
    public string? FirstFailure => Volatile.Read(ref _firstFailure);

    /// <summary>Sends one request and reads its whole answer; returns the outcome and the timestamp the answer was complete.</summary>
    public async Task<(Outcome Outcome, long Completed)> SendAsync()
    {
        try
        {
            using var request = new HttpRequestMessage(_options.Method, _options.Url);
            foreach (var header in _requestHeaders)
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            if (_options.Body is { } body)
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = _contentType;
                foreach (var header in _contentHeaders)
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
                request.Content = content;
            }
            // The default completion option reads the whole answer before SendAsync returns.
            using var response = await _client.SendAsync(request);
            var completed = Stopwatch.GetTimestamp();
            if (response.IsSuccessStatusCode)
            {
                return (Outcome.Success, completed);
            }
            if (_firstFailure is null)
            {
                var text = await response.Content.ReadAsStringAsync();
                Interlocked.CompareExchange(ref _firstFailure, $"HTTP {(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)]}", null);
            }
            return (Outcome.NonSuccess, completed);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            Interlocked.CompareExchange(ref _firstFailure, $"{exception.GetType().Name}: {exception.Message}", null);
            return (Outcome.Exception, Stopwatch.GetTimestamp());
        }
    }

    public void Dispose() => _client.Dispose();
}
