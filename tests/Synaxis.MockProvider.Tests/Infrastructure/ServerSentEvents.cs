using System.Text.Json;

namespace Synaxis.MockProvider.Tests.Infrastructure;

/// <summary>Splits a complete <c>text/event-stream</c> body into OpenAI's <c>data:</c> events.</summary>
public static class ServerSentEvents
{
    public const string Done = "[DONE]";

    /// <summary>
    /// Asserts the framing (every event is exactly <c>data: …\n\n</c>) and returns the payloads in order,
    /// <see cref="Done"/> included.
    /// </summary>
    public static List<string> Parse(string body)
    {
        Assert.EndsWith("\n\n", body);
        var events = body[..^2].Split("\n\n");
        var payloads = new List<string>(events.Length);
        foreach (var item in events)
        {
            Assert.StartsWith("data: ", item);
            Assert.DoesNotContain('\n', item);
            payloads.Add(item["data: ".Length..]);
        }

        return payloads;
    }

    public static List<JsonElement> JsonPayloads(IEnumerable<string> payloads) =>
        payloads.Where(p => p != Done).Select(p =>
        {
            using var document = JsonDocument.Parse(p);
            return document.RootElement.Clone();
        }).ToList();
}
