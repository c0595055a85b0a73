using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Synaxis.Keys.Services;

/// <summary>
/// bcrypt of the full key. bcrypt reads only the first 72 bytes of its input, and a key is 95 characters
/// of which the first 52 are public (prefix and id), so the key is first reduced with SHA-384 to a
/// 64-character base64 string: every bit of the secret counts and no NUL byte can cut it short.
/// Hashing runs at most one per core at a time: it is CPU-bound by design and must not starve the
/// thread pool that serves everything else. New hashes (create, rotate) additionally take a slot of their
/// own, smaller pool (half the cores, at least one) before a core: however many keys are being made at
/// once, they hold at most half the cores and verification, which every gateway request may wait on,
/// always has the rest.
/// </summary>
public sealed class ApiKeyHasher : IDisposable
{
    private readonly int _workFactor;
    private static readonly int HashingSlots = Math.Max(1, Environment.ProcessorCount / 2);

    private readonly SemaphoreSlim _cores = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private readonly SemaphoreSlim _hashing = new(HashingSlots, HashingSlots);

    public ApiKeyHasher(IOptions<KeysOptions> options)
    {
        _workFactor = options.Value.WorkFactor;
        if (_workFactor is < 4 or > 31)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _workFactor, "The bcrypt work factor must be between 4 and 31.");
        }
    }

    public async Task<string> HashAsync(string key, CancellationToken cancellationToken)
    {
        await _hashing.WaitAsync(cancellationToken);
        try
        {
            await _cores.WaitAsync(cancellationToken);
            try
            {
                return BCrypt.Net.BCrypt.HashPassword(Reduce(key), _workFactor);
            }
            finally
            {
                _cores.Release();
            }
        }
        finally
        {
            _hashing.Release();
        }
    }

    /// <summary>Recomputes the hash with the stored salt and compares in constant time.</summary>
    public async Task<bool> VerifyAsync(string key, string secretHash, CancellationToken cancellationToken)
    {
        await _cores.WaitAsync(cancellationToken);
        string computed;
        try
        {
            computed = BCrypt.Net.BCrypt.HashPassword(Reduce(key), secretHash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
        finally
        {
            _cores.Release();
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(secretHash));
    }

    private static string Reduce(string key) => Convert.ToBase64String(SHA384.HashData(Encoding.UTF8.GetBytes(key)));

    public void Dispose()
    {
        _cores.Dispose();
        _hashing.Dispose();
    }
}
