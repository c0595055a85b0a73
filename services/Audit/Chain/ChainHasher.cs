using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Synaxis.Audit.Model;

namespace Synaxis.Audit.Chain;

/// <summary>
/// The tamper evidence of <c>Logs</c>: each row's <see cref="AuditLog.Hash"/> is SHA-256 of the previous row's hash
/// followed by the row's canonical bytes, a JSON array (written by <see cref="CanonicalJson"/>) of
/// <c>[Id, OrganizationId, Sequence, ActorId, ActorType, Action, ResourceType, ResourceId, PreviousValues, NewValues,
/// RequestId, ClientAddress, UserAgent, OccurredAt]</c>, ids as lowercase <c>d</c>-format strings and OccurredAt as
/// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c> (microseconds: PostgreSQL's precision). Editing any of them, or the hash, breaks
/// the row; deleting a row breaks the sequence; re-hashing an edited row breaks the next row's link.
/// </summary>
public static class ChainHasher
{
    public const int HashLength = 32;

    /// <summary>What the first row of a chain links to.</summary>
    public static ReadOnlySpan<byte> Genesis => new byte[HashLength];

    /// <summary>
    /// The row's hash from its fields and <see cref="AuditLog.PreviousHash"/>.
    /// </summary>
    /// <param name="valuesAreCanonical">
    /// True when PreviousValues and NewValues are already <see cref="CanonicalJson"/> text (as ingestion writes them);
    /// false for values read back from PostgreSQL, which are canonicalized first.
    /// </param>
    public static byte[] Compute(AuditLog row, bool valuesAreCanonical)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(row.PreviousHash);
        WriteCanonical(buffer, row, valuesAreCanonical);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    public static void WriteCanonical(IBufferWriter<byte> output, AuditLog row, bool valuesAreCanonical)
    {
        output.Write("["u8);
        CanonicalJson.WriteString(output, Id(row.Id));
        output.Write(","u8);
        CanonicalJson.WriteString(output, Id(row.OrganizationId));
        output.Write(","u8);
        CanonicalJson.WriteNumber(output, row.Sequence.ToString(CultureInfo.InvariantCulture));
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.ActorId is { } actor ? Id(actor) : null);
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.ActorType);
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.Action);
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.ResourceType);
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.ResourceId);
        output.Write(","u8);
        WriteJson(output, row.PreviousValues, valuesAreCanonical);
        output.Write(","u8);
        WriteJson(output, row.NewValues, valuesAreCanonical);
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.RequestId);
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.ClientAddress);
        output.Write(","u8);
        CanonicalJson.WriteString(output, row.UserAgent);
        output.Write(","u8);
        CanonicalJson.WriteString(output, FormatInstant(row.OccurredAt));
        output.Write("]"u8);
    }

    /// <summary>The instant as PostgreSQL keeps it: UTC, truncated to the microsecond.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset instant)
    {
        var utc = instant.UtcTicks;
        return new DateTimeOffset(utc - utc % 10, TimeSpan.Zero);
    }

    public static string FormatInstant(DateTimeOffset instant) =>
        ToStoredPrecision(instant).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Id(Guid id) => id.ToString("D");

    private static void WriteJson(IBufferWriter<byte> output, string? json, bool canonical)
    {
        if (json is null)
        {
            output.Write("null"u8);
        }
        else if (canonical)
        {
            var span = output.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(json.Length));
            output.Advance(System.Text.Encoding.UTF8.GetBytes(json, span));
        }
        else
        {
            using var document = JsonDocument.Parse(json);
            CanonicalJson.Write(output, document.RootElement);
        }
    }
}
