namespace Synaxis.MockProvider.Streaming;

/// <summary>
/// A streamed answer. Endpoints return it like any other result; it writes its events when executed.
/// The fault filter recognizes it to tell streams (which it may cut) from single answers.
/// </summary>
public abstract class SseResult : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var stream = SseStream.Start(httpContext);
        try
        {
            await WriteEventsAsync(stream);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client stopped reading mid-stream; the connection is already gone.
        }
    }

    protected abstract Task WriteEventsAsync(SseStream stream);
}
