namespace Synaxis.Testing;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The AppHost's local-infrastructure scripts: tests start servers exactly as a local run does.</summary>
    public static string Script(string name) => Path.Combine(Root, "Synaxis.AppHost", "Infrastructure", "scripts", name);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Synaxis.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Synaxis.sln not found above the test output folder.");
    }
}
