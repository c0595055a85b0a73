namespace Synaxis.MockProvider.Generation;

/// <summary>
/// Unique ids in OpenAI's shapes (<c>chatcmpl-…</c>, <c>cmpl-…</c>). Ids are the one part of an answer that
/// is not deterministic: clients and the gateway's audit trail rely on them being unique.
/// </summary>
public static class ResponseIds
{
    public static string ChatCompletion() => Create("chatcmpl-");

    public static string TextCompletion() => Create("cmpl-");

    private static string Create(string prefix) =>
        string.Create(prefix.Length + 32, prefix, static (destination, prefix) =>
        {
            prefix.CopyTo(destination);
            Guid.NewGuid().TryFormat(destination[prefix.Length..], out _, "N");
        });

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
