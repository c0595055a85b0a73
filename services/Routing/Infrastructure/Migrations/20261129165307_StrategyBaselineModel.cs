using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Synaxis.Routing.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class StrategyBaselineModel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BaselineModel",
                schema: "routing",
                table: "RoutingStrategies",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BaselineModel",
                schema: "routing",
                table: "RoutingStrategies");
        }
    }
}
