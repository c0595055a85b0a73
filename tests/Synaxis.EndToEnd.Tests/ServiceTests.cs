using System.Net;
using System.Text.Json;
using Npgsql;

namespace Synaxis.EndToEnd.Tests;

[Collection(SynaxisAppCollection.Name)]
public sealed class ServiceTests(SynaxisAppFixture fixture)
{
    public static TheoryData<string> Services => new(SynaxisAppFixture.Services);

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Each_service_publishes_its_openapi_document(string service)
    {
        using var client = fixture.App.CreateHttpClient(service, "http");
        using var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
        Assert.Equal($"Synaxis.{ServiceProject(service)} | v1", document.RootElement.GetProperty("info").GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Each_service_serves_the_scalar_ui_in_development(string service)
    {
        using var client = fixture.App.CreateHttpClient(service, "http");
        using var response = await client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Each_service_is_alive_and_ready(string service)
    {
        using var client = fixture.App.CreateHttpClient(service, "http");
        using var alive = await client.GetAsync("/alive");
        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        var checks = report.RootElement.GetProperty("entries").EnumerateObject().Select(e => e.Name).ToList();
        // Readiness covers the database and Redis, not just the process.
        Assert.Contains(checks, name => name.Contains("DbContext", StringComparison.Ordinal));
        Assert.Contains(checks, name => name.Contains("Redis", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Each_service_migrated_its_own_schema_with_its_own_history_table()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("synaxis");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_name IN ('Outbox', '__EFMigrationsHistory')
            """,
            connection);
        var tables = new HashSet<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add($"{reader.GetString(0)}.{reader.GetString(1)}");
            }
        }

        foreach (var schema in SynaxisAppFixture.Services)
        {
            Assert.Contains($"{schema}.Outbox", tables);
            Assert.Contains($"{schema}.__EFMigrationsHistory", tables);
        }
        Assert.DoesNotContain("public.__EFMigrationsHistory", tables);
    }

    private static string ServiceProject(string service) => service switch
    {
        "ratelimit" => "RateLimit",
        _ => char.ToUpperInvariant(service[0]) + service[1..],
    };
}
