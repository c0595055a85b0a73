using Microsoft.Extensions.Primitives;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// Where a caller puts an API key: <c>Authorization: Bearer synaxis_…</c> (what the OpenAI SDKs send) or
/// <c>x-api-key: synaxis_…</c>. A bearer value that does not start with <c>synaxis_</c> is an access token.
/// Keys are read as slices of the header values: nothing is copied on the way to the cache.
/// </summary>
internal static class ApiKeyCredentials
{
    public const string HeaderName = "x-api-key";
    private const string BearerPrefix = "Bearer ";

    /// <summary>Whether the request presents an API key at all (then the API-key scheme answers for it).</summary>
    public static bool IsPresented(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName) || !BearerApiKey(request.Headers.Authorization).IsEmpty;

    /// <summary>
    /// The one key presented, or <see langword="false"/> with <paramref name="problem"/> when the request is ambiguous
    /// (several values, or two different credentials); <see langword="false"/> without one when no key is presented.
    /// </summary>
    public static bool TryRead(HttpRequest request, out ReadOnlySpan<char> key, out string? problem)
    {
        key = default;
        problem = null;
        var headerValues = request.Headers[HeaderName];
        var authorization = request.Headers.Authorization;
        var bearer = BearerApiKey(authorization);
        if (headerValues.Count == 0)
        {
            key = bearer;
            return !key.IsEmpty;
        }
        if (headerValues.Count > 1)
        {
            problem = $"Send one '{HeaderName}' header.";
            return false;
        }
        var header = (headerValues[0] ?? "").AsSpan().Trim();
        // Both headers are fine when they carry the same key (some clients set both); anything else is ambiguous.
        if (authorization.Count > 0 && !bearer.SequenceEqual(header))
        {
            problem = $"Send one credential: 'Authorization: Bearer' or '{HeaderName}', not both.";
            return false;
        }
        key = header;
        if (key.IsEmpty)
        {
            problem = $"The '{HeaderName}' header is empty.";
            return false;
        }
        return true;
    }

    private static ReadOnlySpan<char> BearerApiKey(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value ||
            !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }
        var credential = value.AsSpan(BearerPrefix.Length).Trim();
        return ApiKeyFormat.LooksLikeApiKey(credential) ? credential : default;
    }
}
