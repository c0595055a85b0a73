using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Synaxis.Audit.Apis;
using Synaxis.Audit.Contracts;
using Synaxis.ServiceKit.Security;

namespace Synaxis.AuditBench;

/// <summary>Times the query APIs through the running service, as the gateway calls them (signed identity), over the loaded rows.</summary>
internal static class QueryRun
{
    public static async Task RunAsync(BenchOptions options, NpgsqlDataSource database, Guid organization, DateTimeOffset from, DateTimeOffset to)
    {
        var signer = new InternalIdentitySigner(Options.Create(new InternalIdentityOptions { SigningKey = options.SigningKey }), TimeProvider.System);
        using var http = new HttpClient { BaseAddress = options.Audit, Timeout = TimeSpan.FromMinutes(10) };
        var fromDay = from.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var toDay = to.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var deep = await CursorAtAsync(database, organization, options.Rows / 2);

        Console.WriteLine($"Queries over {options.Rows:N0} log rows and {options.Rows:N0} usage rows of one organization ({ChainLoader.Days} days), "
            + $"{options.Repeats} runs each, ms (min / median / max):");
        await TimeAsync("logs first page", "/api/audit/logs?limit=50", r => r.Content.ReadFromJsonAsync<AuditLogPage>().ContinueWith(p => p.Result!.Items.Count == 50));
        await TimeAsync($"logs page at row {options.Rows / 2:N0}", $"/api/audit/logs?limit=50&cursor={deep}",
            r => r.Content.ReadFromJsonAsync<AuditLogPage>().ContinueWith(p => p.Result!.Items.Count == 50));
        await TimeAsync("usage by model", $"/api/audit/usage?groupBy=model&from={fromDay}&to={toDay}",
            r => r.Content.ReadFromJsonAsync<UsageReport>().ContinueWith(p => p.Result!.Totals.Requests == options.Rows));
        await TimeAsync("usage by day", $"/api/audit/usage?groupBy=day&from={fromDay}&to={toDay}",
            r => r.Content.ReadFromJsonAsync<UsageReport>().ContinueWith(p => p.Result!.Totals.Requests == options.Rows));
        await TimeAsync("verify", $"/api/audit/verify?from={fromDay}&to={toDay}",
            r => r.Content.ReadFromJsonAsync<VerifyResponse>().ContinueWith(p => p.Result!.Intact && p.Result.Checked == options.Rows));

        async Task TimeAsync(string name, string path, Func<HttpResponseMessage, Task<bool>> check)
        {
            var times = new List<double>();
            for (var i = 0; i < options.Repeats; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add(InternalIdentity.HeaderName, signer.Sign(new CallerIdentity
                {
                    OrganizationId = organization,
                    UserId = Guid.NewGuid(),
                    Role = OrganizationRoles.Owner,
                    RequestId = Guid.NewGuid().ToString("N"),
                }));
                var clock = Stopwatch.StartNew();
                using var response = await http.SendAsync(request);
                var ok = response.IsSuccessStatusCode && await check(response);
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (!ok)
                {
                    throw new InvalidOperationException($"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
            times.Sort();
            Console.WriteLine($"  {name,-28} {times[0],9:F1} {times[times.Count / 2],9:F1} {times[^1],9:F1}");
            Console.WriteLine($"result phase=query name=\"{name}\" min_ms={times[0]:F1} median_ms={times[times.Count / 2]:F1} max_ms={times[^1]:F1}");
        }
    }

    private static async Task<string> CursorAtAsync(NpgsqlDataSource database, Guid organization, int offset)
    {
        await using var command = database.CreateCommand("""
            SELECT "OccurredAt", "Id" FROM audit."Logs" WHERE "OrganizationId" = $1 ORDER BY "OccurredAt" DESC, "Id" DESC OFFSET $2 LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = organization });
        command.Parameters.Add(new NpgsqlParameter { Value = offset });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new LogCursor(reader.GetFieldValue<DateTimeOffset>(0), reader.GetGuid(1)).Encode();
    }
}
