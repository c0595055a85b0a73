using Synaxis.Testing;

namespace Synaxis.Identity.Tests;

/// <summary>
/// The Identity service on real Kestrel, against a throwaway PostgreSQL database and Redis, started
/// once for the test assembly. Tests stay independent by registering their own users.
/// </summary>
public sealed class IdentityServiceFixture : IAsyncLifetime
{
    public const string JwtSigningKey = "test-jwt-signing-key-0123456789-abcdefghijklmnop";
    public const string InternalSigningKey = "test-internal-identity-key-0123456789-abcdefghij";

    private readonly InfrastructureFixture _infrastructure = new();

    public KestrelServiceFactory<Program> Service { get; private set; } = null!;

    public string DatabaseConnectionString { get; private set; } = null!;

    public string RedisConnectionString => _infrastructure.Redis.ConnectionString;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        DatabaseConnectionString = await _infrastructure.Postgres.CreateDatabaseAsync();
        Service = CreateService();
        _ = Service.BaseAddress; // start now: migrations run once, before any test
    }

    /// <summary>Another instance of the service on the same database, with optional overrides.</summary>
    public KestrelServiceFactory<Program> CreateService(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:synaxis"] = DatabaseConnectionString,
            ["ConnectionStrings:redis"] = RedisConnectionString,
            ["Jwt:SigningKey"] = JwtSigningKey,
            ["InternalIdentity:SigningKey"] = InternalSigningKey,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return new KestrelServiceFactory<Program>(settings);
    }

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        await _infrastructure.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class IdentityServiceCollection : ICollectionFixture<IdentityServiceFixture>
{
    public const string Name = "Identity service";
}
