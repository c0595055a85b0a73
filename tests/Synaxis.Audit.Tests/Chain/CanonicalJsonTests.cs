using Npgsql;
using Synaxis.Audit.Chain;
using Synaxis.Audit.Model;
using Synaxis.Audit.Tests.Infrastructure;

namespace Synaxis.Audit.Tests.Chain;

/// <summary>
/// The canonical bytes a row is hashed over must come out the same from the event and from the <c>jsonb</c> PostgreSQL
/// gives back (which reorders keys, drops whitespace and duplicate keys, and rewrites numbers): proven through the real
/// database.
/// </summary>
[Collection(AuditCollection.Name)]
public sealed class CanonicalJsonTests(AuditFixture fixture)
{
    public static TheoryData<string> Documents() =>
    [
        """{ "b": 1, "a": 2, "aa": { "z": [1, 2, { "y": null, "x": true }] }, "A": false, "": "empty key" }""",
        """{"n": 1e2, "m": 1.50, "z": -0, "zz": -0.0, "big": 123456789012345678901234567890, "neg": -1.5e-7, "e": 1E+3, "f": 0.1, "g": 10.000, "h": 0.00100}""",
        """{"k": "héllo wörld – 日本語 🎉", "esc": "quote\" backslash\\ tab\t nl\n cr\r bs\b ff\f ctl\u0001 \u001f del\u007f", "slash": "a\/b", "line": "\u2028\u2029", "escaped": "\u00e9\u65e5"}""",
        """{"é": 1, "e": 2, "Z": 3, "😀": 4, "\uffff": 5, "ab": 6, "b": 7, "aB": 8}""",
        """{"a": 1, "b": {"c": 1, "c": 2}, "a": {"deep": [[[]]], "x": {}}}""",
        """[3, "x", null, [], {}, -12.5e1, 0, true]""",
        """{"before": {"id": "5f1c9a7e-0000-4000-8000-000000000001", "scopes": ["admin", "inference"], "expiresAt": "2026-01-05T10:00:00.1234567+00:00"}, "after": null}""",
        "\"just a string\"",
        "12345678901234567890.12345678901234567890",
    ];

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task A_jsonb_round_trip_gives_the_same_canonical_bytes(string document)
    {
        var canonical = CanonicalJson.ToText(document);

        // The event's own text stored as jsonb, and the canonical text stored as jsonb (what ingestion stores).
        var fromOriginal = await RoundTripAsync(document);
        var fromCanonical = await RoundTripAsync(canonical);

        Assert.Equal(canonical, CanonicalJson.ToText(fromOriginal));
        Assert.Equal(canonical, CanonicalJson.ToText(fromCanonical));
    }

    [Fact]
    public async Task Text_jsonb_cannot_hold_is_replaced_so_the_row_can_be_stored_and_rehashed()
    {
        var canonical = CanonicalJson.ToText("""{"nul": "a\u0000b", "lone": "\ud800x", "key\u0000": 1}""");

        Assert.DoesNotContain('\0', canonical);
        Assert.Equal(canonical, CanonicalJson.ToText(await RoundTripAsync(canonical)));
    }

    [Fact]
    public async Task A_row_hashed_at_ingestion_hashes_the_same_from_what_PostgreSQL_returns()
    {
        var previous = CanonicalJson.ToText("""{"name": "Ops", "limits": {"rpm": 1e2, "budget": 1.50}}""");
        var next = CanonicalJson.ToText("""{"name": "Opérations \"1\"", "limits": {"rpm": 200, "budget": -0}}""");
        var row = new AuditLog
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = Guid.NewGuid(),
            Sequence = 7,
            ActorId = Guid.NewGuid(),
            ActorType = "user",
            Action = "GroupUpdated",
            ResourceType = "Group",
            ResourceId = "42",
            PreviousValues = previous,
            NewValues = next,
            RequestId = "req-1",
            ClientAddress = "2001:db8::1",
            UserAgent = "curl/8.5",
            OccurredAt = ChainHasher.ToStoredPrecision(DateTimeOffset.Parse("2026-01-05T10:00:00.1234567Z")),
            PreviousHash = new byte[32],
        };
        var atIngestion = ChainHasher.Compute(row, valuesAreCanonical: true);

        row.PreviousValues = await RoundTripAsync(previous);
        row.NewValues = await RoundTripAsync(next);
        Assert.NotEqual(previous, row.PreviousValues); // PostgreSQL did rewrite it
        Assert.Equal(atIngestion, ChainHasher.Compute(row, valuesAreCanonical: false));

        row.NewValues = CanonicalJson.ToText("""{"name": "Operations", "limits": {"rpm": 200, "budget": 0}}""");
        Assert.NotEqual(atIngestion, ChainHasher.Compute(row, valuesAreCanonical: true));
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-0.000", "0")]
    [InlineData("1e2", "100")]
    [InlineData("1E-2", "0.01")]
    [InlineData("1.50", "1.5")]
    [InlineData("-1.5e-7", "-0.00000015")]
    [InlineData("120e-1", "12")]
    [InlineData("0.000e10", "0")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("9.999e3", "9999")]
    public void Numbers_are_written_as_their_exact_decimal_value(string raw, string expected) =>
        Assert.Equal(expected, CanonicalJson.Normalize(raw));

    [Fact]
    public void A_number_too_long_to_write_out_is_kept_as_the_string_of_its_text() =>
        Assert.Equal("""{"x":"1e5000"}""", CanonicalJson.ToText("""{"x": 1e5000}"""));

    private async Task<string> RoundTripAsync(string json)
    {
        await using var connection = new NpgsqlConnection(fixture.Service.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT $1::jsonb::text", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = json });
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
