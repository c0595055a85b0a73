using System.Net;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Tests;

/// <summary>The service trusts only identities the gateway signed; its startup refuses weak keys.</summary>
[Collection(IdentityServiceCollection.Name)]
public sealed class ServiceSecurityTests(IdentityServiceFixture fixture)
{
    private readonly IdentityApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task A_request_without_a_signed_identity_answers_401()
    {
        using var response = await _api.Http.GetAsync("/api/identity/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_forged_identity_header_answers_401()
    {
        var victim = await _api.RegisterAsync();
        var forger = new InternalIdentitySigner(
            Options.Create(new InternalIdentityOptions { SigningKey = "an-attacker-key-that-is-long-enough-0123456789" }),
            TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/organizations/current");
        request.Headers.Add(InternalIdentity.HeaderName, forger.Sign(new CallerIdentity
        {
            UserId = victim.UserId,
            OrganizationId = victim.OrganizationId,
            Role = "Owner",
        }));

        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("Jwt:SigningKey")]
    [InlineData("InternalIdentity:SigningKey")]
    public void A_signing_key_under_32_characters_stops_startup(string setting)
    {
        using var service = fixture.CreateService(new Dictionary<string, string?> { [setting] = "too-short-key" });

        var error = Assert.ThrowsAny<Exception>(() => service.BaseAddress);

        var security = FindSecurityException(error);
        Assert.NotNull(security);
        Assert.Contains(setting, security.Message);
    }

    private static SecurityConfigurationException? FindSecurityException(Exception? error) => error switch
    {
        null => null,
        SecurityConfigurationException security => security,
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindSecurityException).FirstOrDefault(e => e is not null),
        _ => FindSecurityException(error.InnerException),
    };
}
