using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Synaxis.Routing.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Catalog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                schema: "routing",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "text", nullable: true),
                    Xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProcessedEvents",
                schema: "routing",
                columns: table => new
                {
                    EventId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConsumerGroup = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ProcessedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessedEvents", x => new { x.EventId, x.ConsumerGroup });
                });

            migrationBuilder.CreateTable(
                name: "ProviderHealthStatus",
                schema: "routing",
                columns: table => new
                {
                    ProviderId = table.Column<Guid>(type: "uuid", nullable: false),
                    Score = table.Column<double>(type: "double precision", nullable: false),
                    CircuitState = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    LatencyEwmaMs = table.Column<double>(type: "double precision", nullable: false),
                    ErrorRate = table.Column<double>(type: "double precision", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderHealthStatus", x => x.ProviderId);
                });

            migrationBuilder.CreateTable(
                name: "Providers",
                schema: "routing",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: true),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    BaseUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    ProtectedApiKey = table.Column<string>(type: "text", nullable: true),
                    ApiVersion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    IsFree = table.Column<bool>(type: "boolean", nullable: false),
                    FreeRequestsPerMinute = table.Column<int>(type: "integer", nullable: true),
                    FreeRequestsPerDay = table.Column<int>(type: "integer", nullable: true),
                    FreeTokensPerMinute = table.Column<int>(type: "integer", nullable: true),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DeletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeletedBy = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Providers", x => x.Id);
                    table.CheckConstraint("CK_Providers_Kind", "\"Kind\" IN ('openai-compatible', 'anthropic', 'azure-openai')");
                });

            migrationBuilder.CreateTable(
                name: "RoutingStrategies",
                schema: "routing",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    AllowPaidFallback = table.Column<bool>(type: "boolean", nullable: false),
                    MaxCostPer1M = table.Column<decimal>(type: "numeric(18,9)", precision: 18, scale: 9, nullable: true),
                    MinHealthScore = table.Column<double>(type: "double precision", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DeletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeletedBy = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoutingStrategies", x => x.Id);
                    table.CheckConstraint("CK_RoutingStrategies_Type", "\"Type\" IN ('miser', 'cost', 'performance', 'balanced')");
                });

            migrationBuilder.CreateTable(
                name: "Deployments",
                schema: "routing",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: true),
                    ProviderId = table.Column<Guid>(type: "uuid", nullable: false),
                    Model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UpstreamModel = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    InputPricePer1M = table.Column<decimal>(type: "numeric(18,9)", precision: 18, scale: 9, nullable: false),
                    OutputPricePer1M = table.Column<decimal>(type: "numeric(18,9)", precision: 18, scale: 9, nullable: false),
                    ContextWindow = table.Column<int>(type: "integer", nullable: true),
                    Aliases = table.Column<List<string>>(type: "text[]", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DeletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeletedBy = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Deployments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Deployments_Providers_ProviderId",
                        column: x => x.ProviderId,
                        principalSchema: "routing",
                        principalTable: "Providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_OrganizationId_Model",
                schema: "routing",
                table: "Deployments",
                columns: new[] { "OrganizationId", "Model" });

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_ProviderId",
                schema: "routing",
                table: "Deployments",
                column: "ProviderId");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessedEvents_ProcessedAt",
                schema: "routing",
                table: "ProcessedEvents",
                column: "ProcessedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Providers_OrganizationId",
                schema: "routing",
                table: "Providers",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_RoutingStrategies_OrganizationId",
                schema: "routing",
                table: "RoutingStrategies",
                column: "OrganizationId",
                unique: true,
                filter: "\"DeletedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DataProtectionKeys",
                schema: "routing");

            migrationBuilder.DropTable(
                name: "Deployments",
                schema: "routing");

            migrationBuilder.DropTable(
                name: "ProcessedEvents",
                schema: "routing");

            migrationBuilder.DropTable(
                name: "ProviderHealthStatus",
                schema: "routing");

            migrationBuilder.DropTable(
                name: "RoutingStrategies",
                schema: "routing");

            migrationBuilder.DropTable(
                name: "Providers",
                schema: "routing");
        }
    }
}
