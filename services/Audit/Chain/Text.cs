using System.Text;

namespace Synaxis.Audit.Chain;

/// <summary>
/// Text as PostgreSQL can store it: <c>text</c> and <c>jsonb</c> refuse U+0000, and UTF-8 has no unpaired surrogates.
/// Both become U+FFFD, before the value is stored and before it is hashed, so what is stored is what was hashed.
/// </summary>
public static class Text
{
    public const char Replacement = '\uFFFD';

    public static string Clean(string value)
    {
        var bad = FirstUnstorable(value);
        if (bad < 0)
        {
            return value;
        }
        var builder = new StringBuilder(value.Length);
        builder.Append(value, 0, bad);
        for (var i = bad; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                builder.Append(Replacement);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? Replacement : c);
            }
        }
        return builder.ToString();
    }

    public static string? CleanOrNull(string? value) => value is null ? null : Clean(value);

    private static int FirstUnstorable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return i;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }
        return -1;
    }
}
