using Synaxis.Testing;

namespace Synaxis.ServiceKit.Tests;

/// <summary>One throwaway PostgreSQL and Redis shared by the test classes that need them.</summary>
[CollectionDefinition(Name)]
public sealed class InfrastructureCollection : ICollectionFixture<InfrastructureFixture>
{
    public const string Name = "PostgreSQL and Redis";
}
