using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Synaxis.ServiceKit.Http;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.ApiKeys;

/// <summary>
/// <c>POST http://keys/internal/keys/verify</c>, signed as the gateway's own internal call. The HTTP client has no
/// retry pipeline (a retry would be another bcrypt, and the caller is waiting) and a short timeout.
/// </summary>
internal sealed partial class KeysServiceClient(IHttpClientFactory httpClients, InternalIdentitySigner signer, ILogger<KeysServiceClient> logger)
{
    public const string HttpClientName = "keys-verify";
    public const string VerifyPath = "internal/keys/verify";

    /// <summary>
    /// The organization the gateway's own calls claim. The keys contract says <see cref="Guid.Empty"/>, which the
    /// shared validator refuses; all bits set is as plainly no real organization (no Guid v4 or v7 has it) and
    /// passes. What authorizes the call is the <c>internal</c> scope alone.
    /// </summary>
    public static readonly Guid InternalCallerOrganizationId = Guid.AllBitsSet;

    private static readonly CallerIdentity InternalCaller = new()
    {
        OrganizationId = InternalCallerOrganizationId,
        Scopes = [SynaxisPolicies.InternalScope],
    };

    private SignedIdentity? _signedInternalCaller;

    public async Task<(ApiKeyVerificationStatus Status, VerifiedApiKey? Key)> VerifyAsync(
        string key, string requestId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, VerifyPath)
        {
            Content = JsonContent.Create(new VerifyApiKeyRequest(key), ApiKeyJsonContext.Default.VerifyApiKeyRequest),
        };
        request.Headers.TryAddWithoutValidation(InternalIdentity.HeaderName, signer.Sign(InternalCaller, ref _signedInternalCaller));
        request.Headers.TryAddWithoutValidation(RequestIdHeader.Name, requestId);

        try
        {
            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    var verified = await response.Content.ReadFromJsonAsync(ApiKeyJsonContext.Default.VerifiedApiKey, cancellationToken);
                    if (verified is null || verified.Scopes is null)
                    {
                        LogUnexpectedAnswer(logger, (int)response.StatusCode);
                        return (ApiKeyVerificationStatus.Unavailable, null);
                    }
                    return (ApiKeyVerificationStatus.Valid, verified);

                case HttpStatusCode.Unauthorized:
                    // Only a verdict about the key counts: a 401 without a known reason is Keys refusing the gateway
                    // itself (a wrong internal identity key, say), and caching that as "unknown" would lock out every key.
                    var reason = await ReadReasonAsync(response, cancellationToken);
                    if (reason is ApiKeyVerificationFailures.Unknown or ApiKeyVerificationFailures.Mismatch
                        or ApiKeyVerificationFailures.Revoked or ApiKeyVerificationFailures.Expired)
                    {
                        return (ApiKeyVerification.FromReason(reason), null);
                    }
                    LogUnexpectedAnswer(logger, (int)response.StatusCode);
                    return (ApiKeyVerificationStatus.Unavailable, null);

                default:
                    LogUnexpectedAnswer(logger, (int)response.StatusCode);
                    return (ApiKeyVerificationStatus.Unavailable, null);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            LogUnreachable(logger, exception);
            return (ApiKeyVerificationStatus.Unavailable, null);
        }
    }

    private static async Task<string?> ReadReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return problem.RootElement.ValueKind == JsonValueKind.Object &&
                problem.RootElement.TryGetProperty(ApiKeyVerificationFailures.ReasonExtension, out var reason) &&
                reason.ValueKind == JsonValueKind.String
                    ? reason.GetString()
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The Keys service answered {StatusCode} to an API key verification.")]
    private static partial void LogUnexpectedAnswer(ILogger logger, int statusCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Keys service could not verify an API key in time.")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);
}
