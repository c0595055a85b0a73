namespace Synaxis.MockProvider.Tests.Infrastructure;

/// <summary>One server with the default configuration, shared by the tests of the collection.</summary>
public sealed class MockProviderFixture : IAsyncLifetime
{
    public MockProviderFactory Factory { get; } = new();

    public HttpClient Http { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Http = Factory.CreateHttpClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Factory.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class MockProviderCollection : ICollectionFixture<MockProviderFixture>
{
    public const string Name = "Mock provider";
}
