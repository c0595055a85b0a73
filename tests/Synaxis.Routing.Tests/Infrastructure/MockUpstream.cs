extern alias mock;

using Synaxis.Testing;

namespace Synaxis.Routing.Tests.Infrastructure;

/// <summary>
/// One mock provider (the product's own fake OpenAI upstream, services/MockProvider) on real Kestrel: faults are chosen
/// per request with its <c>x-mock-*</c> headers or per instance with <c>MockProvider:*</c> settings.
/// </summary>
public sealed class MockUpstream : IAsyncDisposable
{
    private readonly KestrelServiceFactory<mock::Program> _factory;

    public MockUpstream(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _factory = new KestrelServiceFactory<mock::Program>(settings ?? new Dictionary<string, string?>());
    }

    /// <summary>The mock's root; its OpenAI API is under <c>v1/</c>.</summary>
    public Uri BaseAddress => _factory.BaseAddress;

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
