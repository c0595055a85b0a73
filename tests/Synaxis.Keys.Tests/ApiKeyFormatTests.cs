using System.Numerics;
using System.Security.Cryptography;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Tests;

/// <summary>Pure unit tests of the shared key format and Base62 (no service).</summary>
public sealed class ApiKeyFormatTests
{
    [Fact]
    public void A_generated_key_is_synaxis_id_secret_with_fixed_lengths()
    {
        var generated = ApiKeyFormat.Generate();

        Assert.Equal(95, ApiKeyFormat.KeyLength);
        Assert.Equal(ApiKeyFormat.KeyLength, generated.Key.Length);
        Assert.Equal(43, generated.Id.Length);
        Assert.Equal(43, generated.Secret.Length);
        Assert.Equal($"synaxis_{generated.Id}_{generated.Secret}", generated.Key);
        Assert.Matches("^synaxis_[0-9A-Za-z]{43}_[0-9A-Za-z]{43}$", generated.Key);
        Assert.Equal("synaxis_" + generated.Id[..8], generated.DisplayPrefix);
        Assert.DoesNotContain(generated.Secret, generated.ToString());
    }

    [Fact]
    public void Generated_keys_differ_in_id_and_secret()
    {
        var keys = Enumerable.Range(0, 200).Select(_ => ApiKeyFormat.Generate()).ToList();

        Assert.Equal(keys.Count, keys.Select(k => k.Id).Distinct().Count());
        Assert.Equal(keys.Count, keys.Select(k => k.Secret).Distinct().Count());
        Assert.DoesNotContain(keys, k => k.Id == k.Secret);
    }

    [Fact]
    public void TryParse_returns_the_id_part_of_a_valid_key()
    {
        var generated = ApiKeyFormat.Generate();

        Assert.True(ApiKeyFormat.TryParse(generated.Key, out var id, out var secret));
        Assert.Equal(generated.Id, id.ToString());
        Assert.Equal(generated.Secret, secret.ToString());
        Assert.True(ApiKeyFormat.TryParse(generated.Key, out var idOnly));
        Assert.Equal(generated.Id, idOnly.ToString());
    }

    public static TheoryData<string> MalformedKeys()
    {
        var valid = ApiKeyFormat.Generate().Key;
        var max = Base62.MaxEncoded;
        return new TheoryData<string>
        {
            "",
            "synaxis_",
            valid[..^1],
            valid + "A",
            "Synaxis_" + valid[8..],
            "sk-proj" + valid[7..],
            valid[..51] + "-" + valid[52..],
            valid[..10] + "!" + valid[11..],
            valid[..60] + "+" + valid[61..],
            valid[..10] + "é" + valid[11..],
            valid[..10] + " " + valid[11..],
            // 43 Base62 characters above 2^256 - 1 are not a 32-byte value.
            "synaxis_" + "z" + max[1..] + "_" + valid[52..],
            "synaxis_" + valid[8..51] + "_" + "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        };
    }

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void TryParse_refuses_malformed_keys(string key)
    {
        Assert.False(ApiKeyFormat.TryParse(key, out var id));
        Assert.True(id.IsEmpty);
    }

    [Fact]
    public void TryParse_does_not_allocate()
    {
        var key = ApiKeyFormat.Generate().Key;
        var malformed = key[..60] + "+" + key[61..];
        ApiKeyFormat.TryParse(key, out _); // warm up (static initialisation, JIT)
        ApiKeyFormat.TryParse(malformed, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            ApiKeyFormat.TryParse(key, out _);
            ApiKeyFormat.TryParse(malformed, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Base62_round_trips_random_and_edge_values()
    {
        var values = new List<byte[]> { new byte[32], Enumerable.Repeat((byte)0xFF, 32).ToArray() };
        var one = new byte[32];
        one[31] = 1;
        values.Add(one);
        for (var i = 0; i < 500; i++)
        {
            values.Add(RandomNumberGenerator.GetBytes(32));
        }

        foreach (var value in values)
        {
            var encoded = Base62.Encode(value);
            Assert.Equal(Base62.EncodedLength, encoded.Length);
            var decoded = new byte[32];
            Assert.True(Base62.TryDecode(encoded, decoded));
            Assert.Equal(value, decoded);
        }
    }

    [Fact]
    public void Base62_is_big_endian_base_62_with_digits_then_upper_then_lower_case()
    {
        var value = RandomNumberGenerator.GetBytes(32);

        var expected = new BigInteger(value, isUnsigned: true, isBigEndian: true);
        var encoded = Base62.Encode(value);
        var actual = encoded.Aggregate(BigInteger.Zero, (n, c) => n * 62 + Base62.Alphabet.IndexOf(c));

        Assert.Equal(expected, actual);
        Assert.Equal(new string('0', 43), Base62.Encode(new byte[32]));
        var sixtyOne = new byte[32];
        sixtyOne[31] = 61;
        Assert.Equal(new string('0', 42) + "z", Base62.Encode(sixtyOne));
        Assert.Equal(BigInteger.Pow(2, 256) - 1,
            Base62.MaxEncoded.Aggregate(BigInteger.Zero, (n, c) => n * 62 + Base62.Alphabet.IndexOf(c)));
    }

    [Fact]
    public void Base62_ordinal_order_is_numeric_order()
    {
        for (var i = 0; i < 200; i++)
        {
            var a = RandomNumberGenerator.GetBytes(32);
            var b = RandomNumberGenerator.GetBytes(32);
            var numeric = new BigInteger(a, true, true).CompareTo(new BigInteger(b, true, true));
            var ordinal = string.CompareOrdinal(Base62.Encode(a), Base62.Encode(b));
            Assert.Equal(Math.Sign(numeric), Math.Sign(ordinal));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("000000000000000000000000000000000000000000-")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    public void Base62_refuses_what_is_not_a_32_byte_value(string encoded)
    {
        Assert.False(Base62.TryDecode(encoded, new byte[32]));
        Assert.False(Base62.IsCanonical(encoded));
    }

    [Fact]
    public void Base62_encodes_only_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => Base62.Encode(new byte[31]));
        Assert.Throws<ArgumentException>(() => ApiKeyFormat.Format("short", "short"));
    }
}
