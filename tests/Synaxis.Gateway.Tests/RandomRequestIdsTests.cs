using System.Collections.Concurrent;
using Synaxis.Gateway.Proxy;

namespace Synaxis.Gateway.Tests;

public sealed class RandomRequestIdsTests
{
    [Fact]
    public void Ids_are_32_lowercase_hex_characters_and_never_repeat_across_batches_and_threads()
    {
        var seen = new ConcurrentDictionary<string, byte>();
        Parallel.For(0, 8, _ =>
        {
            // Several batches per thread (256 ids each), so refills are crossed many times.
            for (var i = 0; i < 5_000; i++)
            {
                var id = RandomRequestIds.Next();
                Assert.Matches("^[0-9a-f]{32}$", id);
                Assert.True(seen.TryAdd(id, 0), $"repeated id {id}");
            }
        });
        Assert.Equal(40_000, seen.Count);
    }

    [Fact]
    public void Consecutive_ids_share_no_structure()
    {
        var ids = Enumerable.Range(0, 512).Select(_ => RandomRequestIds.Next()).ToArray();

        // Random bytes, not a counter: no common prefix beyond chance between neighbours, and every position varies.
        var longCommonPrefixes = ids.Zip(ids.Skip(1)).Count(pair => pair.First[..6] == pair.Second[..6]);
        Assert.True(longCommonPrefixes < 3, $"{longCommonPrefixes} neighbours share 6 leading hex digits");
        for (var position = 0; position < 32; position++)
        {
            Assert.True(ids.Select(id => id[position]).Distinct().Count() > 8, $"position {position} hardly varies");
        }
    }
}
