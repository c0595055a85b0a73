using System.Security.Cryptography;

namespace Synaxis.AppHost.Infrastructure;

/// <summary>
/// The folder, outside the repository, where local-mode Postgres and Redis keep their data between
/// runs, and the secrets generated for them on the first run.
/// </summary>
public static class LocalDataDirectory
{
    /// <summary>Configuration key that moves the data folder (tests point it at a throwaway folder).</summary>
    public const string SettingKey = "Synaxis:DataPath";

    /// <summary>
    /// As root the data lives under <c>/var/lib/synaxis</c>: PostgreSQL runs as the <c>postgres</c>
    /// user, which cannot enter <c>/root</c>. Anyone else gets the XDG data folder.
    /// </summary>
    public static string Resolve(string? configured, bool isRoot, string? xdgDataHome, string homeDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        if (isRoot)
        {
            return "/var/lib/synaxis";
        }

        var dataHome = string.IsNullOrWhiteSpace(xdgDataHome)
            ? Path.Combine(homeDirectory, ".local", "share")
            : xdgDataHome;
        return Path.Combine(dataHome, "synaxis");
    }

    /// <summary>
    /// Reads a secret kept in the data folder, creating it on first use. The database is initialised
    /// with it once, so it must outlive the AppHost process; the file is readable by its owner only.
    /// </summary>
    public static string ReadOrCreateSecret(string directory, string name)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var path = Path.Combine(directory, name);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        var secret = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return secret;
    }
}
