namespace Synaxis.MockProvider.Faults;

/// <summary>
/// The seeded draws behind <see cref="FaultOptions.ErrorRate"/>: one sequence for the process, so a run
/// with the same seed and request order fails the same requests.
/// </summary>
public sealed class FaultDice(int seed)
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    public bool Roll(double probability)
    {
        if (probability <= 0)
        {
            return false;
        }

        if (probability >= 1)
        {
            return true;
        }

        // Random is not thread-safe, and Random.Shared cannot be seeded.
        lock (_gate)
        {
            return _random.NextDouble() < probability;
        }
    }
}
