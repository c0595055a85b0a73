using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Synaxis.Audit.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "audit");

            migrationBuilder.CreateTable(
                name: "ChainCheckpoints",
                schema: "audit",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    Reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChainCheckpoints", x => new { x.OrganizationId, x.Sequence });
                });

            migrationBuilder.CreateTable(
                name: "ChainHeads",
                schema: "audit",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChainHeads", x => x.OrganizationId);
                });

            migrationBuilder.CreateTable(
                name: "OrganizationRetention",
                schema: "audit",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    RetentionDays = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrganizationRetention", x => x.OrganizationId);
                });

            migrationBuilder.CreateTable(
                name: "Outbox",
                schema: "audit",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Payload = table.Column<string>(type: "jsonb", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Outbox", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Unpublished",
                schema: "audit",
                table: "Outbox",
                column: "CreatedAt",
                filter: "\"PublishedAt\" IS NULL");

            // EF does not model declarative partitioning: the two date-partitioned tables, the function that creates
            // their daily partitions, and the partitions from yesterday to a week ahead are plain SQL.
            migrationBuilder.Sql(PartitionedTablesSql);
        }

        private const string PartitionedTablesSql = """
            CREATE TABLE audit."Logs" (
                "Id" uuid NOT NULL,
                "PartitionDate" date NOT NULL,
                "OrganizationId" uuid NOT NULL,
                "Sequence" bigint NOT NULL,
                "ActorId" uuid NULL,
                "ActorType" text NOT NULL,
                "Action" text NOT NULL,
                "ResourceType" text NOT NULL,
                "ResourceId" text NULL,
                "PreviousValues" jsonb NULL,
                "NewValues" jsonb NULL,
                "RequestId" text NULL,
                "ClientAddress" text NULL,
                "UserAgent" text NULL,
                "OccurredAt" timestamp with time zone NOT NULL,
                "RecordedAt" timestamp with time zone NOT NULL,
                "Hash" bytea NOT NULL CONSTRAINT "CK_Logs_Hash" CHECK (octet_length("Hash") = 32),
                "PreviousHash" bytea NOT NULL CONSTRAINT "CK_Logs_PreviousHash" CHECK (octet_length("PreviousHash") = 32),
                CONSTRAINT "PK_Logs" PRIMARY KEY ("PartitionDate", "Id")
            ) PARTITION BY RANGE ("PartitionDate");

            CREATE INDEX "IX_Logs_Organization_OccurredAt" ON audit."Logs" ("OrganizationId", "OccurredAt" DESC, "Id" DESC);
            CREATE INDEX "IX_Logs_Organization_Sequence" ON audit."Logs" ("OrganizationId", "Sequence");

            CREATE TABLE audit."UsageRecords" (
                "Id" uuid NOT NULL,
                "PartitionDate" date NOT NULL,
                "OrganizationId" uuid NOT NULL,
                "GroupId" uuid NULL,
                "UserId" uuid NULL,
                "KeyId" uuid NULL,
                "Model" text NOT NULL,
                "Provider" text NULL,
                "ProviderTier" text NULL,
                "InputTokens" bigint NOT NULL,
                "OutputTokens" bigint NOT NULL,
                "CostUsd" numeric(18,9) NOT NULL,
                "MoneySavedUsd" numeric(18,9) NOT NULL,
                "LatencyMs" bigint NOT NULL,
                "StatusCode" integer NOT NULL,
                "RequestId" text NULL,
                "OccurredAt" timestamp with time zone NOT NULL,
                CONSTRAINT "PK_UsageRecords" PRIMARY KEY ("PartitionDate", "Id")
            ) PARTITION BY RANGE ("PartitionDate");

            CREATE INDEX "IX_UsageRecords_Organization_OccurredAt" ON audit."UsageRecords" ("OrganizationId", "OccurredAt");

            -- Creates the missing daily partitions Logs_yyyyMMdd and UsageRecords_yyyyMMdd of [from_date, from_date + days).
            -- Serialized by an advisory lock, so instances that find the same day missing do not race to create it.
            CREATE FUNCTION audit.ensure_partitions(from_date date, days integer) RETURNS integer
            LANGUAGE plpgsql AS $$
            DECLARE
                part_day date;
                parent text;
                part_name text;
                created integer := 0;
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext('audit.ensure_partitions'));
                FOR i IN 0 .. days - 1 LOOP
                    part_day := from_date + i;
                    FOREACH parent IN ARRAY ARRAY['Logs', 'UsageRecords'] LOOP
                        part_name := parent || '_' || to_char(part_day, 'YYYYMMDD');
                        IF to_regclass(format('audit.%I', part_name)) IS NULL THEN
                            EXECUTE format('CREATE TABLE audit.%I PARTITION OF audit.%I FOR VALUES FROM (%L) TO (%L)',
                                part_name, parent, part_day, part_day + 1);
                            created := created + 1;
                        END IF;
                    END LOOP;
                END LOOP;
                RETURN created;
            END
            $$;

            SELECT audit.ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION audit.ensure_partitions(date, integer);
                DROP TABLE audit."Logs";
                DROP TABLE audit."UsageRecords";
                """);

            migrationBuilder.DropTable(
                name: "ChainCheckpoints",
                schema: "audit");

            migrationBuilder.DropTable(
                name: "ChainHeads",
                schema: "audit");

            migrationBuilder.DropTable(
                name: "OrganizationRetention",
                schema: "audit");

            migrationBuilder.DropTable(
                name: "Outbox",
                schema: "audit");
        }
    }
}
