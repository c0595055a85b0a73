using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Synaxis.Identity.Infrastructure;
using Synaxis.Identity.Model;

namespace Synaxis.Identity.Tests;

/// <summary>
/// Refresh tokens and roles, like every other entity, carry CreatedAt/UpdatedAt stamped by the shared
/// interceptor and are soft-deleted; a soft-deleted refresh token is never usable.
/// </summary>
[Collection(IdentityServiceCollection.Name)]
public sealed class RefreshTokenAndRoleRowTests(IdentityServiceFixture fixture)
{
    private const string InitialMigration = "20261129132042_InitialCreate";
    private const string AuditMigration = "20261129204105_AuditAndSoftDeleteForRefreshTokensAndRoles";

    private readonly IdentityApiClient _api = new(fixture.Service.CreateRealClient());

    private sealed record Row(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SpentAt, DateTimeOffset? RevokedAt, DateTimeOffset? DeletedAt);

    [Fact]
    public async Task A_refresh_token_row_gets_CreatedAt_and_UpdatedAt_from_the_interceptor_and_spending_it_moves_UpdatedAt()
    {
        var start = Microseconds(DateTimeOffset.UtcNow);
        var tokens = await _api.RegisterAsync();
        var end = DateTimeOffset.UtcNow;

        var issued = Assert.Single(await TokenRowsAsync(tokens.UserId));
        Assert.InRange(issued.CreatedAt, start, end);
        Assert.Equal(issued.CreatedAt, issued.UpdatedAt);
        Assert.Null(issued.DeletedAt);

        using var refresh = await _api.Http.PostAsJsonAsync("/api/identity/auth/refresh", new { refreshToken = tokens.RefreshToken });
        await IdentityApiClient.EnsureAsync(refresh, HttpStatusCode.OK);

        var rows = await TokenRowsAsync(tokens.UserId);
        var spent = Assert.Single(rows, r => r.Id == issued.Id);
        Assert.Equal(issued.CreatedAt, spent.CreatedAt);
        Assert.NotNull(spent.SpentAt);
        Assert.Equal(spent.SpentAt, spent.UpdatedAt);
        Assert.True(spent.UpdatedAt > spent.CreatedAt, $"UpdatedAt {spent.UpdatedAt:O} did not move past CreatedAt {spent.CreatedAt:O}");
        var next = Assert.Single(rows, r => r.Id != issued.Id);
        Assert.Equal(next.CreatedAt, next.UpdatedAt);
        Assert.True(next.CreatedAt >= spent.SpentAt);
    }

    [Fact]
    public async Task A_soft_deleted_refresh_token_stays_in_the_table_but_cannot_refresh()
    {
        var tokens = await _api.RegisterAsync();
        await WithDbAsync(async db =>
        {
            db.RefreshTokens.Remove(await db.RefreshTokens.SingleAsync(t => t.UserId == tokens.UserId));
            await db.SaveChangesAsync();
            Assert.False(await db.RefreshTokens.AnyAsync(t => t.UserId == tokens.UserId), "the query filter shows a deleted token");
        });

        var deleted = Assert.Single(await TokenRowsAsync(tokens.UserId));
        Assert.NotNull(deleted.DeletedAt);
        Assert.Equal(deleted.DeletedAt, deleted.UpdatedAt);
        // Nothing but the soft delete stands between it and a refresh.
        Assert.Null(deleted.SpentAt);
        Assert.Null(deleted.RevokedAt);

        using var refresh = await _api.Http.PostAsJsonAsync("/api/identity/auth/refresh", new { refreshToken = tokens.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal("application/problem+json", refresh.Content.Headers.ContentType?.MediaType);
        // The refused attempt neither spent it nor issued a successor.
        Assert.Equal(deleted, Assert.Single(await TokenRowsAsync(tokens.UserId)));
    }

    [Fact]
    public async Task Logout_revokes_the_whole_family_including_its_soft_deleted_tokens()
    {
        var first = await _api.RegisterAsync();
        using var refresh = await _api.Http.PostAsJsonAsync("/api/identity/auth/refresh", new { refreshToken = first.RefreshToken });
        await IdentityApiClient.EnsureAsync(refresh, HttpStatusCode.OK);
        await WithDbAsync(async db =>
        {
            db.RefreshTokens.Remove(await db.RefreshTokens.SingleAsync(t => t.UserId == first.UserId && t.SpentAt == null));
            await db.SaveChangesAsync();
        });

        using var logout = await _api.Http.PostAsJsonAsync("/api/identity/auth/logout", new { refreshToken = first.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        var rows = await TokenRowsAsync(first.UserId);
        Assert.Equal(2, rows.Count);
        Assert.Single(rows, r => r.DeletedAt is not null);
        Assert.All(rows, r => Assert.NotNull(r.RevokedAt));
        Assert.All(rows, r => Assert.Equal(r.RevokedAt, r.UpdatedAt));
    }

    [Fact]
    public async Task A_role_row_is_stamped_and_soft_deleted_by_the_interceptor_and_its_name_can_be_used_again()
    {
        var name = $"auditor-{Guid.NewGuid():N}";
        var start = Microseconds(DateTimeOffset.UtcNow);
        var id = await WithRolesAsync(async roles =>
        {
            var role = new SynaxisRole { Name = name };
            Assert.True((await roles.CreateAsync(role)).Succeeded);
            return role.Id;
        });
        var end = DateTimeOffset.UtcNow;

        var created = await RoleRowAsync(id);
        Assert.InRange(created.CreatedAt, start, end);
        Assert.Equal(created.CreatedAt, created.UpdatedAt);
        Assert.Null(created.DeletedAt);

        await WithRolesAsync(async roles =>
        {
            var role = await roles.FindByNameAsync(name);
            Assert.NotNull(role);
            Assert.True((await roles.DeleteAsync(role)).Succeeded);
            Assert.Null(await roles.FindByNameAsync(name));
            Assert.Null(await roles.FindByIdAsync(id.ToString()));
            // The unique name index covers live roles only.
            Assert.True((await roles.CreateAsync(new SynaxisRole { Name = name })).Succeeded);
            return id;
        });

        var deleted = await RoleRowAsync(id);
        Assert.Equal(created.CreatedAt, deleted.CreatedAt);
        Assert.NotNull(deleted.DeletedAt);
        Assert.Equal(deleted.DeletedAt, deleted.UpdatedAt);
        await using var connection = await OpenAsync(fixture.DatabaseConnectionString);
        await using var count = new NpgsqlCommand(
            "SELECT count(*), count(\"DeletedAt\") FROM identity.\"Roles\" WHERE \"NormalizedName\" = upper(@name)", connection);
        count.Parameters.AddWithValue("name", name);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((2L, 1L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    [Fact]
    public async Task The_migrations_match_the_model_and_the_service_database_has_them_all()
    {
        await WithDbAsync(async db =>
        {
            Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration captures");
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(AuditMigration, (await db.Database.GetAppliedMigrationsAsync()).Last());
        });

        var columns = await AuditColumnsAsync(fixture.DatabaseConnectionString);
        Assert.Equal(
            [
                "RefreshTokens.CreatedAt timestamp with time zone NO",
                "RefreshTokens.DeletedAt timestamp with time zone YES",
                "RefreshTokens.DeletedBy uuid YES",
                "RefreshTokens.UpdatedAt timestamp with time zone NO",
                "Roles.CreatedAt timestamp with time zone NO",
                "Roles.DeletedAt timestamp with time zone YES",
                "Roles.DeletedBy uuid YES",
                "Roles.UpdatedAt timestamp with time zone NO",
            ],
            columns);
    }

    [Fact]
    public async Task The_audit_migration_backfills_existing_rows_and_rolls_back_cleanly()
    {
        var maintenance = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Database = "postgres", Pooling = false };
        var database = $"identity_migration_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Database = database, Pooling = false }.ConnectionString;
        await ExecuteAsync(maintenance.ConnectionString, $"CREATE DATABASE \"{database}\"");
        try
        {
            await using var db = new IdentityDbContext(new DbContextOptionsBuilder<IdentityDbContext>()
                .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(HistoryRepository.DefaultTableName, IdentityDbContext.Schema))
                .Options);
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(InitialMigration);

            var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var (userId, freshToken, usedToken, roleId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
            await ExecuteAsync(connectionString, $"""
                INSERT INTO identity."Users" ("Id", "DisplayName", "CreatedAt", "UpdatedAt", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                VALUES ('{userId}', 'Before', '{created:O}', '{created:O}', false, false, false, true, 0);
                INSERT INTO identity."RefreshTokens" ("Id", "TokenHash", "FamilyId", "UserId", "OrganizationId", "CreatedAt", "ExpiresAt", "SpentAt", "RevokedAt")
                VALUES ('{freshToken}', 'fresh', '{userId}', '{userId}', '{userId}', '{created:O}', '{created.AddDays(30):O}', NULL, NULL),
                       ('{usedToken}', 'used', '{userId}', '{userId}', '{userId}', '{created:O}', '{created.AddDays(30):O}', '{created.AddHours(1):O}', '{created.AddHours(2):O}');
                INSERT INTO identity."Roles" ("Id", "Name", "NormalizedName") VALUES ('{roleId}', 'Legacy', 'LEGACY');
                """);

            var beforeUpgrade = DateTimeOffset.UtcNow.AddMinutes(-1);
            await migrator.MigrateAsync(AuditMigration);
            var afterUpgrade = DateTimeOffset.UtcNow.AddMinutes(1);

            Assert.Equal(created, await ScalarAsync<DateTimeOffset>(connectionString, $"SELECT \"UpdatedAt\" FROM identity.\"RefreshTokens\" WHERE \"Id\" = '{freshToken}'"));
            Assert.Equal(created.AddHours(2), await ScalarAsync<DateTimeOffset>(connectionString, $"SELECT \"UpdatedAt\" FROM identity.\"RefreshTokens\" WHERE \"Id\" = '{usedToken}'"));
            Assert.Equal(0L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM identity.\"RefreshTokens\" WHERE \"DeletedAt\" IS NOT NULL OR \"DeletedBy\" IS NOT NULL"));
            Assert.InRange(await ScalarAsync<DateTimeOffset>(connectionString, $"SELECT \"CreatedAt\" FROM identity.\"Roles\" WHERE \"Id\" = '{roleId}'"), beforeUpgrade, afterUpgrade);
            Assert.InRange(await ScalarAsync<DateTimeOffset>(connectionString, $"SELECT \"UpdatedAt\" FROM identity.\"Roles\" WHERE \"Id\" = '{roleId}'"), beforeUpgrade, afterUpgrade);
            Assert.Equal(8, (await AuditColumnsAsync(connectionString)).Count);

            await migrator.MigrateAsync(InitialMigration);

            Assert.Equal(["RefreshTokens.CreatedAt timestamp with time zone NO"], await AuditColumnsAsync(connectionString));
            Assert.Equal(2L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM identity.\"RefreshTokens\""));
        }
        finally
        {
            await ExecuteAsync(maintenance.ConnectionString, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    private async Task WithDbAsync(Func<IdentityDbContext, Task> work)
    {
        await using var scope = fixture.Service.Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<IdentityDbContext>());
    }

    private async Task<Guid> WithRolesAsync(Func<RoleManager<SynaxisRole>, Task<Guid>> work)
    {
        await using var scope = fixture.Service.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RoleManager<SynaxisRole>>());
    }

    private async Task<List<Row>> TokenRowsAsync(Guid userId)
    {
        await using var connection = await OpenAsync(fixture.DatabaseConnectionString);
        await using var command = new NpgsqlCommand("""
            SELECT "Id", "CreatedAt", "UpdatedAt", "SpentAt", "RevokedAt", "DeletedAt"
            FROM identity."RefreshTokens" WHERE "UserId" = @userId ORDER BY "CreatedAt", "Id"
            """, connection);
        command.Parameters.AddWithValue("userId", userId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(
                reader.GetGuid(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return rows;
    }

    private async Task<Row> RoleRowAsync(Guid id)
    {
        await using var connection = await OpenAsync(fixture.DatabaseConnectionString);
        await using var command = new NpgsqlCommand(
            "SELECT \"CreatedAt\", \"UpdatedAt\", \"DeletedAt\" FROM identity.\"Roles\" WHERE \"Id\" = @id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"role {id} is not in the table");
        return new Row(id, reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1), null, null,
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    /// <summary>"Table.Column type nullable" for the audit and soft-delete columns of RefreshTokens and Roles.</summary>
    private static async Task<List<string>> AuditColumnsAsync(string connectionString)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand("""
            SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
            FROM information_schema.columns
            WHERE table_schema = 'identity' AND table_name IN ('RefreshTokens', 'Roles')
              AND column_name IN ('CreatedAt', 'UpdatedAt', 'DeletedAt', 'DeletedBy')
            ORDER BY 1
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<string>();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }
        return columns;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no row for {sql}");
        return reader.GetFieldValue<T>(0);
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>PostgreSQL keeps microseconds: the lower bound of a window must not be finer than that.</summary>
    private static DateTimeOffset Microseconds(DateTimeOffset value) => value.AddTicks(-(value.Ticks % 10));
}
