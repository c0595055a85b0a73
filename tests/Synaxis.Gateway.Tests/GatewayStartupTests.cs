using Synaxis.ServiceKit.Security;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests;

public sealed class GatewayStartupTests
{
    private static readonly Uri Nowhere = new("http://127.0.0.1:9/");

    private static async Task<SecurityConfigurationException> AssertStartupRefusedAsync(Dictionary<string, string?> settings)
    {
        await using var gateway = new KestrelServiceFactory<Program>(settings);
        var exception = Assert.ThrowsAny<Exception>(() => gateway.BaseAddress);
        return Assert.IsType<SecurityConfigurationException>(exception);
    }

    [Theory]
    [InlineData("too-short")]
    [InlineData("")]
    public async Task A_short_or_missing_jwt_signing_key_stops_the_gateway(string key)
    {
        var exception = await AssertStartupRefusedAsync(GatewayFixture.Settings(Nowhere, jwtKey: key));
        Assert.Contains("Jwt:SigningKey", exception.Message);
    }

    [Fact]
    public async Task A_short_internal_identity_key_stops_the_gateway()
    {
        var exception = await AssertStartupRefusedAsync(GatewayFixture.Settings(Nowhere, internalKey: "0123456789"));
        Assert.Contains("InternalIdentity:SigningKey", exception.Message);
    }

    [Fact]
    public async Task One_secret_for_both_keys_stops_the_gateway()
    {
        var exception = await AssertStartupRefusedAsync(GatewayFixture.Settings(Nowhere, internalKey: TestTokens.JwtKey));
        Assert.Contains("must be different", exception.Message);
    }
}
