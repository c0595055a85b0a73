using Synaxis.AppHost.Infrastructure;

namespace Synaxis.AppHost.Tests;

public sealed class LocalDataDirectoryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("synaxis-data-").FullName;

    [Fact]
    public void A_configured_path_wins() =>
        Assert.Equal("/srv/synaxis", LocalDataDirectory.Resolve("/srv/synaxis", isRoot: true, "/x", "/home/u"));

    [Fact]
    public void Root_keeps_data_where_the_postgres_user_can_reach_it() =>
        Assert.Equal("/var/lib/synaxis", LocalDataDirectory.Resolve(null, isRoot: true, null, "/root"));

    [Fact]
    public void Other_users_get_the_xdg_data_folder()
    {
        Assert.Equal("/home/u/.local/share/synaxis", LocalDataDirectory.Resolve(null, isRoot: false, null, "/home/u"));
        Assert.Equal("/data/synaxis", LocalDataDirectory.Resolve("", isRoot: false, "/data", "/home/u"));
    }

    [Fact]
    public void A_secret_is_created_once_then_reused_and_only_its_owner_reads_it()
    {
        var first = LocalDataDirectory.ReadOrCreateSecret(_folder, "postgres-password");
        var second = LocalDataDirectory.ReadOrCreateSecret(_folder, "postgres-password");
        var other = LocalDataDirectory.ReadOrCreateSecret(_folder, "redis-password");

        Assert.Equal(32, first.Length);
        Assert.All(first, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(_folder, "postgres-password")));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
