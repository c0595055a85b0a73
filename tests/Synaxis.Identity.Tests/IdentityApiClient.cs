using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Synaxis.Identity.Contracts;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Tests;

/// <summary>
/// Speaks to the Identity service as the gateway does: anonymous for /auth, and for everything else
/// with the X-Synaxis-Identity header signed from the caller's access token.
/// </summary>
public sealed class IdentityApiClient(HttpClient http)
{
    public const string StrongPassword = "correct horse battery staple";

    private static readonly InternalIdentitySigner Signer = new(
        Options.Create(new InternalIdentityOptions { SigningKey = IdentityServiceFixture.InternalSigningKey }),
        TimeProvider.System);

    public HttpClient Http { get; } = http;

    public static string NewEmail() => $"user-{Guid.NewGuid():N}@example.test";

    public async Task<TokenResponse> RegisterAsync(string? email = null, string organizationName = "Acme")
    {
        using var response = await Http.PostAsJsonAsync("/api/identity/auth/register", new
        {
            email = email ?? NewEmail(),
            password = StrongPassword,
            displayName = "Test User",
            organizationName,
        });
        await EnsureAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    public async Task<TokenResponse> LoginAsync(string email, Guid? organizationId = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/identity/auth/login", new { email, password = StrongPassword, organizationId });
        await EnsureAsync(response, System.Net.HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    /// <summary>Sends a request as the holder of <paramref name="tokens"/>.</summary>
    public Task<HttpResponseMessage> SendAsync(TokenResponse tokens, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        request.Headers.Add(InternalIdentity.HeaderName, SignFromAccessToken(tokens.AccessToken));
        return Http.SendAsync(request);
    }

    /// <summary>Sends <paramref name="json"/> exactly as given (broken or not), as <paramref name="caller"/> or anonymously.</summary>
    public Task<HttpResponseMessage> SendRawJsonAsync(TokenResponse? caller, HttpMethod method, string path, string json)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (caller is not null)
        {
            request.Headers.Add(InternalIdentity.HeaderName, SignFromAccessToken(caller.AccessToken));
        }
        return Http.SendAsync(request);
    }

    public static string SignFromAccessToken(string accessToken)
    {
        var jwt = new JsonWebToken(accessToken);
        return Signer.Sign(new CallerIdentity
        {
            UserId = Guid.Parse(jwt.GetClaim(SynaxisClaims.Subject).Value),
            OrganizationId = Guid.Parse(jwt.GetClaim(SynaxisClaims.OrganizationId).Value),
            Role = jwt.GetClaim(SynaxisClaims.OrganizationRole).Value,
            GroupIds = jwt.Claims.Where(c => c.Type == SynaxisClaims.Groups).Select(c => Guid.Parse(c.Value)).ToList(),
        });
    }

    public static async Task EnsureAsync(HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new Xunit.Sdk.XunitException(
                $"Expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
