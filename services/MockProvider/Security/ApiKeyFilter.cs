using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Synaxis.MockProvider.Apis;

namespace Synaxis.MockProvider.Security;

/// <summary>
/// When <c>MockProvider:ApiKey</c> is set, requires it as <c>Authorization: Bearer …</c> (OpenAI) or
/// <c>api-key: …</c> (Azure OpenAI), so the gateway's handling of a provider's credentials can be tested.
/// </summary>
public sealed class ApiKeyFilter(IOptionsMonitor<MockProviderOptions> options) : IEndpointFilter
{
    private const string BearerPrefix = "Bearer ";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.CurrentValue.ApiKey;
        if (string.IsNullOrEmpty(expected) || Matches(context.HttpContext.Request.Headers, expected))
        {
            return next(context);
        }

        return ValueTask.FromResult<object?>(OpenAiErrors.InvalidApiKey());
    }

    private static bool Matches(IHeaderDictionary headers, string expected)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return FixedTimeEquals(authorization.AsSpan(BearerPrefix.Length).Trim(), expected);
        }

        return headers.TryGetValue("api-key", out var apiKey) && FixedTimeEquals(apiKey.ToString(), expected);
    }

    // Constant time in the key's content, so timing does not reveal how much of a guess was right.
    private static bool FixedTimeEquals(ReadOnlySpan<char> presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(presented), MemoryMarshal.AsBytes(expected.AsSpan()));
}
