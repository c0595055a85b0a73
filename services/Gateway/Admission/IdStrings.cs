using System.Collections.Concurrent;

namespace Synaxis.Gateway.Admission;

/// <summary>
/// The text of the ids admission names (key, user, groups, organization), made once per id instead of once per
/// request. Bounded: when full it starts over, so a flood of distinct ids cannot grow it.
/// </summary>
internal static class IdStrings
{
    private const int MaxEntries = 100_000;

    private static readonly ConcurrentDictionary<Guid, string> Texts = new();

    public static string Of(Guid id)
    {
        if (Texts.TryGetValue(id, out var text))
        {
            return text;
        }
        text = id.ToString();
        if (Texts.Count >= MaxEntries)
        {
            Texts.Clear();
        }
        Texts[id] = text;
        return text;
    }
}
