using System.Text;
using BenchmarkDotNet.Attributes;
using Synaxis.Gateway.Admission;

namespace Synaxis.Benchmarks;

/// <summary>
/// The admission read of an inference body (one forward <c>Utf8JsonReader</c> pass; only the model becomes a
/// string) on a typical 1 KB chat request and on a 64 KB one with a long conversation.
/// </summary>
[MemoryDiagnoser]
public class InferenceRequestBenchmarks
{
    private byte[] _oneKilobyte = [];
    private byte[] _sixtyFourKilobytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _oneKilobyte = ChatBody(1024);
        _sixtyFourKilobytes = ChatBody(64 * 1024);
        foreach (var body in new[] { _oneKilobyte, _sixtyFourKilobytes })
        {
            if (InferenceRequest.TryRead(body, out var error) is null)
            {
                throw new InvalidOperationException($"The benchmark body does not read: {error}");
            }
        }
    }

    [Benchmark(Description = "TryRead: 1 KB chat request")]
    public long TryReadOneKilobyte() => InferenceRequest.TryRead(_oneKilobyte, out _)?.PromptTextBytes ?? -1;

    [Benchmark(Description = "TryRead: 64 KB chat request")]
    public long TryReadSixtyFourKilobytes() => InferenceRequest.TryRead(_sixtyFourKilobytes, out _)?.PromptTextBytes ?? -1;

    /// <summary>
    /// A chat completion as SDKs send it: model and parameters first, then a system prompt and alternating turns
    /// (some as content-part arrays), padded with turns until the body is about <paramref name="size"/> bytes.
    /// </summary>
    private static byte[] ChatBody(int size)
    {
        const string head = """{"model":"gpt-4o-mini","temperature":0.7,"top_p":1,"n":1,"stream":true,"max_tokens":512,"user":"user-1234","messages":[{"role":"system","content":"You are a helpful assistant. Answer concisely and cite sources when you can."}""";
        const string tail = """],"stop":["\n\nUser:"],"response_format":{"type":"text"}}""";
        string[] turns =
        [
            """,{"role":"user","content":"Can you summarize the main causes of the French Revolution in a few bullet points?"}""",
            """,{"role":"assistant","content":"Sure: fiscal crisis and debt, food shortages, Enlightenment ideas, resentment of privilege, and a weak monarchy."}""",
            """,{"role":"user","content":[{"type":"text","text":"Thanks! Now compare it with the American Revolution, in one short paragraph."}]}""",
            """,{"role":"assistant","content":"Both drew on Enlightenment ideals, but the American one was a colonial war of independence, the French a social upheaval."}""",
        ];
        var body = new StringBuilder(head);
        for (var i = 0; Encoding.UTF8.GetByteCount(body.ToString()) + turns[i % turns.Length].Length + tail.Length <= size; i++)
        {
            body.Append(turns[i % turns.Length]);
        }
        body.Append(tail);
        return Encoding.UTF8.GetBytes(body.ToString());
    }
}
