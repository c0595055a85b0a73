using Synaxis.AppHost;
using Synaxis.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var (_, database, redis) = builder.AddSynaxisInfrastructure();

// Generated once and kept in the AppHost's user secrets for local runs; a parameter to fill in on deploy.
var jwtSigningKey = builder.AddParameter(
    "jwt-signing-key",
    new GenerateParameterDefault { MinLength = 64, Special = false },
    secret: true,
    persist: true);

// Signs the caller identity the gateway forwards to services; only the gateway and services know it.
var internalIdentityKey = builder.AddParameter(
    "internal-identity-key",
    new GenerateParameterDefault { MinLength = 64, Special = false },
    secret: true,
    persist: true);

// What the gateway does when Redis cannot answer an admission: Open (a local limiter at a share of each limit;
// budgets still refused) or Closed (every inference request refused with 503). A deploy-time setting.
var rateLimitFailureMode = builder.AddParameter("ratelimit-failure-mode", "Open", publishValueAsDefault: true);

var mockProvider = builder.AddProject<Projects.Synaxis_MockProvider>("mock-provider")
    .WithSynaxisDefaults();

var identity = builder.AddProject<Projects.Synaxis_Identity>("identity")
    .WithSynaxisDefaults()
    .WithBackingServices(database, redis, internalIdentityKey)
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey);

var keys = builder.AddProject<Projects.Synaxis_Keys>("keys")
    .WithSynaxisDefaults()
    .WithBackingServices(database, redis, internalIdentityKey);

var rateLimit = builder.AddProject<Projects.Synaxis_RateLimit>("ratelimit")
    .WithSynaxisDefaults()
    .WithBackingServices(database, redis, internalIdentityKey);

var routing = builder.AddProject<Projects.Synaxis_Routing>("routing")
    .WithSynaxisDefaults()
    .WithBackingServices(database, redis, internalIdentityKey)
    .WithReference(mockProvider).WaitFor(mockProvider);
if (builder.ExecutionContext.IsRunMode)
{
    // A first local run answers at once: the bundled mock registered as the global mock-free and mock-paid providers.
    routing.WithEnvironment("Routing__SeedMockProviders", "true")
        .WithEnvironment("Routing__MockProviderUrl", "http://mock-provider/v1/");
}

var audit = builder.AddProject<Projects.Synaxis_Audit>("audit")
    .WithSynaxisDefaults()
    .WithBackingServices(database, redis, internalIdentityKey);

builder.AddProject<Projects.Synaxis_Gateway>("gateway")
    .WithSynaxisDefaults(builder.GatewayPort())
    .WithExternalHttpEndpoints()
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithEnvironment("InternalIdentity__SigningKey", internalIdentityKey)
    .WithEnvironment("RateLimit__FailureMode", rateLimitFailureMode)
    .WithReference(redis).WaitFor(redis)
    .WithReference(identity).WaitFor(identity)
    .WithReference(keys).WaitFor(keys)
    .WithReference(rateLimit).WaitFor(rateLimit)
    .WithReference(routing).WaitFor(routing)
    .WithReference(audit).WaitFor(audit);

builder.Build().Run();
