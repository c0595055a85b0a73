using System.Security.Cryptography;

namespace Synaxis.ServiceKit.Keys;

/// <summary>A freshly generated key: <see cref="Key"/> goes to the user once; <see cref="Id"/> is the lookup id.</summary>
public readonly record struct GeneratedApiKey(string Id, string Secret, string Key)
{
    /// <summary>What users see to recognise the key: <c>synaxis_</c> and the first 8 characters of the id.</summary>
    public string DisplayPrefix => ApiKeyFormat.DisplayPrefix(Id);

    public override string ToString() => DisplayPrefix + "…"; // never the secret in a log line
}

/// <summary>
/// API keys are <c>synaxis_{id}_{secret}</c>: id and secret are each 32 CSPRNG bytes in fixed-width
/// <see cref="Base62"/> (43 characters), so every key is <see cref="KeyLength"/> characters long. The id
/// is the indexed lookup handle; only the secret is secret. Shared by the Keys service and the gateway.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "synaxis_";
    public const char Separator = '_';
    public const int IdLength = Base62.EncodedLength;
    public const int SecretLength = Base62.EncodedLength;

    /// <summary><c>synaxis_</c> + 43 + <c>_</c> + 43 = 95.</summary>
    public const int KeyLength = 8 + IdLength + 1 + SecretLength;

    /// <summary>Id characters shown in <see cref="DisplayPrefix"/>.</summary>
    public const int DisplayIdLength = 8;

    private const int IdStart = 8;
    private const int SeparatorIndex = IdStart + IdLength;
    private const int SecretStart = SeparatorIndex + 1;

    public static GeneratedApiKey Generate()
    {
        Span<byte> bytes = stackalloc byte[Base62.ByteLength];
        RandomNumberGenerator.Fill(bytes);
        var id = Base62.Encode(bytes);
        RandomNumberGenerator.Fill(bytes);
        var secret = Base62.Encode(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return new GeneratedApiKey(id, secret, Format(id, secret));
    }

    public static string Format(string id, string secret)
    {
        if (!Base62.IsCanonical(id) || !Base62.IsCanonical(secret))
        {
            throw new ArgumentException("Id and secret must each be 43 Base62 characters of a 32-byte value.");
        }
        return string.Concat(Prefix, id, "_", secret);
    }

    /// <summary>
    /// Checks the whole shape (length, prefix, separator, both parts canonical Base62) without allocating;
    /// <paramref name="id"/> is a slice of <paramref name="key"/>. Anything malformed is refused before any hashing.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> key, out ReadOnlySpan<char> id) => TryParse(key, out id, out _);

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out ReadOnlySpan{char})"/>
    public static bool TryParse(ReadOnlySpan<char> key, out ReadOnlySpan<char> id, out ReadOnlySpan<char> secret)
    {
        id = default;
        secret = default;
        if (key.Length != KeyLength || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[SeparatorIndex] != Separator)
        {
            return false;
        }
        var idPart = key.Slice(IdStart, IdLength);
        var secretPart = key.Slice(SecretStart, SecretLength);
        if (!Base62.IsCanonical(idPart) || !Base62.IsCanonical(secretPart))
        {
            return false;
        }
        id = idPart;
        secret = secretPart;
        return true;
    }

    /// <summary>A cheap look at whether a bearer credential is meant to be an API key (rather than a JWT).</summary>
    public static bool LooksLikeApiKey(ReadOnlySpan<char> credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary><c>synaxis_</c> and the first 8 characters of the id: the <c>prefix</c> field of the Keys API.</summary>
    public static string DisplayPrefix(ReadOnlySpan<char> id)
    {
        if (id.Length < DisplayIdLength)
        {
            throw new ArgumentException($"An API key id has {IdLength} characters.", nameof(id));
        }
        return string.Concat(Prefix, id[..DisplayIdLength]);
    }
}
