using System.Text.Json;
using Synaxis.Audit.Chain;

namespace Synaxis.Audit.Ingestion;

/// <summary>
/// What a log row says the event was about, from nothing but the event: the resource type is the event type's noun,
/// the resource id the first <c>id</c> its data carries. The rules are in the service's README.
/// </summary>
public static class ResourceNaming
{
    /// <summary>Longest resource id kept (ids are GUIDs or short names; anything longer is not an id).</summary>
    public const int MaxResourceIdLength = 256;

    // Past participles that do not end in "ed"; the event names of the platform all do today.
    private static readonly HashSet<string> IrregularPastTense = new(StringComparer.Ordinal)
    {
        "Set", "Reset", "Sent", "Made", "Built", "Run", "Done", "Lost", "Paid", "Spent", "Found", "Hit", "Put", "Read",
        "Held", "Kept", "Left", "Shut", "Split", "Sold", "Told", "Bound", "Given", "Taken", "Chosen", "Frozen",
        "Broken", "Written", "Hidden", "Shown", "Withdrawn", "Undone", "Begun", "Overridden",
    };

    // Words that name a property of the resource rather than a resource: MemberRoleChanged is about a Member.
    // ProviderHealth stays whole: a provider's health is a resource of its own (Routing's ProviderHealthStatus).
    private static readonly HashSet<string> AttributeWords = new(StringComparer.Ordinal)
    {
        "Role", "Name", "Email", "Password", "Scopes",
    };

    /// <summary>
    /// The type minus its trailing past-tense verb (<c>KeyCreated</c> → <c>Key</c>, <c>PolicyChanged</c> →
    /// <c>Policy</c>, <c>ProviderHealthChanged</c> → <c>ProviderHealth</c>), then minus a trailing word that names a
    /// property rather than a resource (<c>MemberRoleChanged</c> → <c>Member</c>). A type of one word, or whose last
    /// word is not a past tense, is its own noun.
    /// </summary>
    public static string TypeOf(string eventType)
    {
        var lastWord = LastWordStart(eventType);
        if (lastWord <= 0)
        {
            return eventType;
        }
        var verb = eventType[lastWord..];
        var pastTense = (verb.Length > 2 && verb.EndsWith("ed", StringComparison.Ordinal)) || IrregularPastTense.Contains(verb);
        if (!pastTense)
        {
            return eventType;
        }
        var noun = eventType[..lastWord];
        var attribute = LastWordStart(noun);
        return attribute > 0 && AttributeWords.Contains(noun[attribute..]) ? noun[..attribute] : noun;
    }

    /// <summary>
    /// The first <c>id</c> found in <c>data.after</c>, <c>data.before</c>, or another object at the top level of
    /// <paramref name="data"/> (in document order); else <c>data.scopeId</c> or <c>data.organizationId</c>; else null.
    /// Strings and numbers count; anything else is not an id.
    /// </summary>
    public static string? IdOf(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var section in (string[])["after", "before"])
        {
            if (data.TryGetProperty(section, out var snapshot) && Scalar(snapshot, "id") is { } id)
            {
                return id;
            }
        }
        foreach (var property in data.EnumerateObject())
        {
            if (property.NameEquals("after") || property.NameEquals("before"))
            {
                continue;
            }
            if (Scalar(property.Value, "id") is { } id)
            {
                return id;
            }
        }
        return Scalar(data, "scopeId") ?? Scalar(data, "organizationId");
    }

    private static string? Scalar(JsonElement container, string name)
    {
        if (container.ValueKind != JsonValueKind.Object || !container.TryGetProperty(name, out var value))
        {
            return null;
        }
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrEmpty(text) || text.Length > MaxResourceIdLength ? null : Text.Clean(text);
    }

    /// <summary>Where the last PascalCase word starts (<c>APIKeyCreated</c> → at <c>Created</c>); 0 when there is one word.</summary>
    private static int LastWordStart(string value)
    {
        for (var i = value.Length - 1; i > 0; i--)
        {
            if (!char.IsUpper(value[i]))
            {
                continue;
            }
            var afterLower = !char.IsUpper(value[i - 1]);
            var beforeLower = i + 1 < value.Length && char.IsLower(value[i + 1]);
            if (afterLower || beforeLower)
            {
                return i;
            }
        }
        return 0;
    }
}
