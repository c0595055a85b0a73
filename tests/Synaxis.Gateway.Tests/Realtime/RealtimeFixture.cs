extern alias audit;
extern alias identity;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using audit::Synaxis.Audit.Realtime;
using identity::Synaxis.Identity.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Synaxis.Testing;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>
/// The real path of a hub client: the gateway in front of Identity (which issues the access tokens) and of one Audit
/// instance, plus a second Audit instance on the same database and Redis that no client connects to, so a message it
/// broadcasts can only reach clients through the Redis backplane.
/// </summary>
public sealed class RealtimeFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    private readonly InfrastructureFixture _infrastructure = new();

    public KestrelServiceFactory<identity::Program> Identity { get; private set; } = null!;

    /// <summary>The Audit instance the gateway forwards <c>/hubs</c> to.</summary>
    public AuditServiceFactory Audit { get; private set; } = null!;

    /// <summary>The Audit instance behind no gateway: what it broadcasts travels through Redis.</summary>
    public AuditServiceFactory OtherAudit { get; private set; } = null!;

    public KestrelServiceFactory<Program> Gateway { get; private set; } = null!;

    public string RedisConnectionString => _infrastructure.Redis.ConnectionString;

    public Uri GatewayHub => new(Gateway.BaseAddress, "hubs/events");

    public Uri AuditHub => new(Audit.BaseAddress, "hubs/events");

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        var database = await _infrastructure.Postgres.CreateDatabaseAsync();
        var services = new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = database,
            ["ConnectionStrings:redis"] = RedisConnectionString,
            ["Jwt:SigningKey"] = TestTokens.JwtKey,
            ["InternalIdentity:SigningKey"] = TestTokens.InternalKey,
        };
        Identity = new KestrelServiceFactory<identity::Program>(services);
        Audit = new AuditServiceFactory(services);
        OtherAudit = new AuditServiceFactory(services);
        // One at a time: each migrates its schema at startup.
        _ = Identity.BaseAddress;
        _ = Audit.BaseAddress;
        _ = OtherAudit.BaseAddress;

        // Keys, RateLimit and Routing are not exercised here; their clusters point at Identity, which no test reaches that way.
        var gateway = GatewayFixture.Settings(Identity.BaseAddress);
        gateway["ReverseProxy:Clusters:audit:Destinations:audit:Address"] = Audit.BaseAddress.ToString();
        gateway["ConnectionStrings:redis"] = RedisConnectionString;
        Gateway = new KestrelServiceFactory<Program>(gateway);
        _ = Gateway.BaseAddress;
    }

    public IAuditBroadcaster BroadcasterOf(AuditServiceFactory instance) =>
        instance.Services.GetRequiredService<IAuditBroadcaster>();

    /// <summary>
    /// A WebSockets-only SignalR client of <paramref name="hub"/>. <paramref name="accessToken"/> goes where the .NET
    /// client puts it (the Authorization header); put <c>access_token</c> in <paramref name="hub"/> for the browser way.
    /// </summary>
    public static HubConnection CreateClient(Uri hub, string? accessToken = null, Action<HttpConnectionOptions>? configure = null) =>
        new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, options =>
            {
                if (accessToken is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                }
                configure?.Invoke(options);
            })
            .Build();

    /// <summary>A new user, Owner of a new organization, registered through the gateway.</summary>
    public async Task<TokenResponse> RegisterAsync(string email)
    {
        using var http = Gateway.CreateRealClient();
        using var response = await http.PostAsJsonAsync("/api/identity/auth/register", new
        {
            email,
            password = Password,
            displayName = "Realtime Test",
            organizationName = "Realtime " + email,
        });
        return await ReadTokensAsync(response, HttpStatusCode.Created);
    }

    /// <summary>
    /// A user with the Member role in <paramref name="owner"/>'s organization, added by that Owner and signed in to it,
    /// all through the gateway.
    /// </summary>
    public async Task<TokenResponse> AddMemberAsync(TokenResponse owner)
    {
        var email = NewEmail();
        await RegisterAsync(email);
        using var http = Gateway.CreateRealClient();
        using (var add = new HttpRequestMessage(HttpMethod.Post, "/api/identity/members"))
        {
            add.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner.AccessToken);
            add.Content = JsonContent.Create(new { email, role = "Member" });
            using var added = await http.SendAsync(add);
            await EnsureAsync(added, HttpStatusCode.Created);
        }
        using var login = await http.PostAsJsonAsync("/api/identity/auth/login", new { email, password = Password, organizationId = owner.OrganizationId });
        return await ReadTokensAsync(login, HttpStatusCode.OK);
    }

    public static string NewEmail() => $"realtime-{Guid.NewGuid():N}@example.test";

    public async Task DisposeAsync()
    {
        foreach (var host in new IAsyncDisposable?[] { Gateway, OtherAudit, Audit, Identity })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
        await _infrastructure.DisposeAsync();
    }

    private static async Task<TokenResponse> ReadTokensAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        await EnsureAsync(response, expected);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new Xunit.Sdk.XunitException(
                $"Expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RealtimeCollection : ICollectionFixture<RealtimeFixture>
{
    public const string Name = "Gateway in front of Identity and two Audit instances";
}
