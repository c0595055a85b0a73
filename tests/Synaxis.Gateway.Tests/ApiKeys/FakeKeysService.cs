using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Gateway.Tests.ApiKeys;

/// <summary>
/// Stands in for the Keys service's <c>POST /internal/keys/verify</c>: answers from an in-memory table, as the real
/// one does (unknown id, wrong secret, revoked, expired, or the key), and counts every call, which is how the tests
/// count bcrypt runs. It checks the gateway's signed internal identity as the real service would.
/// </summary>
public sealed class FakeKeysService : IAsyncDisposable
{
    private static readonly InternalIdentityValidator Validator = new(
        Options.Create(new InternalIdentityOptions { SigningKey = TestTokens.InternalKey }), TimeProvider.System);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Registered> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _callsByKeyId = new(StringComparer.Ordinal);
    private int _calls;

    private FakeKeysService(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    /// <summary>Every verify call so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>How long each answer takes (to make concurrent first requests overlap).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every call answers this status (an outage).</summary>
    public int? FailWith { get; set; }

    /// <summary>The identity of the last call, as the Keys service would have validated it.</summary>
    public InternalIdentityValidationResult? LastIdentity { get; private set; }

    /// <summary>The <c>x-request-id</c> of the last call.</summary>
    public string? LastRequestId { get; private set; }

    public int CallsFor(string keyId) => _callsByKeyId.TryGetValue(keyId, out var calls) ? calls : 0;

    /// <summary>A new key in the table: owner, organization, role, group and scopes as given.</summary>
    public TestApiKey Register(
        string[] scopes, DateTimeOffset? expiresAt = null, string? role = OrganizationRoles.Member, Guid? groupId = null)
    {
        var generated = ApiKeyFormat.Generate();
        var verified = new VerifiedApiKey(
            generated.Id, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), groupId ?? Guid.NewGuid(), role, scopes, null, expiresAt);
        _keys[generated.Id] = new Registered(generated.Key, verified, Revoked: false);
        return new TestApiKey(generated.Key, generated.Id, verified);
    }

    public void Revoke(TestApiKey key) => _keys[key.KeyId] = _keys[key.KeyId] with { Revoked = true };

    public static async Task<FakeKeysService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var service = new FakeKeysService(app);
        app.MapPost("/internal/keys/verify", service.VerifyAsync);
        await app.StartAsync();
        return service;
    }

    private async Task<IResult> VerifyAsync(HttpContext context, VerifyApiKeyRequest request)
    {
        Interlocked.Increment(ref _calls);
        var identity = Validator.Validate(context.Request.Headers[InternalIdentity.HeaderName].ToString());
        LastIdentity = identity;
        LastRequestId = context.Request.Headers["x-request-id"].ToString();
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }
        if (FailWith is { } status)
        {
            return Results.StatusCode(status);
        }
        if (!identity.IsValid || !identity.Identity.Scopes.Contains(SynaxisPolicies.InternalScope))
        {
            return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "No internal identity.");
        }
        if (!ApiKeyFormat.TryParse(request.Key, out var idPart))
        {
            return Refused(ApiKeyVerificationFailures.Unknown);
        }
        var keyId = idPart.ToString();
        _callsByKeyId.AddOrUpdate(keyId, 1, (_, calls) => calls + 1);
        if (!_keys.TryGetValue(keyId, out var registered))
        {
            return Refused(ApiKeyVerificationFailures.Unknown);
        }
        if (!string.Equals(registered.Key, request.Key, StringComparison.Ordinal))
        {
            return Refused(ApiKeyVerificationFailures.Mismatch);
        }
        if (registered.Revoked)
        {
            return Refused(ApiKeyVerificationFailures.Revoked);
        }
        if (registered.Verified.ExpiresAt is { } expiresAt && expiresAt <= DateTimeOffset.UtcNow)
        {
            return Refused(ApiKeyVerificationFailures.Expired);
        }
        return Results.Json(registered.Verified, ApiKeyJsonContext.Default.VerifiedApiKey);
    }

    private static IResult Refused(string reason) => Results.Problem(
        statusCode: 401,
        title: "Unauthorized",
        extensions: new Dictionary<string, object?> { [ApiKeyVerificationFailures.ReasonExtension] = reason });

    /// <summary>
    /// Stops gracefully before disposing: disposing a running Kestrel aborts the gateway's pooled keep-alive
    /// connections mid-flight, a teardown race seen as an ObjectDisposedException in fixture cleanup under CI load.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
    }

    private sealed record Registered(string Key, VerifiedApiKey Verified, bool Revoked);
}

public sealed record TestApiKey(string Key, string KeyId, VerifiedApiKey Verified)
{
    /// <summary>The same id with another (well-formed) secret: what someone guessing secrets sends.</summary>
    public string WithWrongSecret() => ApiKeyFormat.Format(KeyId, ApiKeyFormat.Generate().Secret);

    public override string ToString() => ApiKeyFormat.DisplayPrefix(KeyId);
}
