namespace Synaxis.Testing;

/// <summary>Polls until a condition holds or a generous timeout passes: asserts outcomes, never timings.</summary>
public static class Eventually
{
    public static async Task<T> ResultAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last value: {value}");
            }
            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) =>
        ResultAsync(probe, ok => ok, what, timeout);

    public static Task TrueAsync(Func<bool> probe, string what, TimeSpan? timeout = null) =>
        ResultAsync(() => Task.FromResult(probe()), ok => ok, what, timeout);
}
