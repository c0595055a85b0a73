using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Contracts;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Routing.Tests.Admin;

[Collection(CatalogAdminCollection.Name)]
public sealed class StrategyApiTests(CatalogAdminFixture fixture)
{
    private readonly CatalogApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Without_a_strategy_the_default_is_answered()
    {
        var member = TestCaller.NewOrganization(OrganizationRoles.Member);
        using var response = await _api.SendAsync(member, HttpMethod.Get, "/api/routing/strategy");
        await CatalogApiClient.EnsureAsync(response, HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("miser", root.GetProperty("type").GetString());
        Assert.False(root.GetProperty("allowPaidFallback").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("maxCostPer1M").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("minHealthScore").ValueKind);
    }

    [Fact]
    public async Task Put_replaces_the_strategy_and_publishes_the_change()
    {
        var owner = TestCaller.NewOrganization();
        var admin = owner.Colleague(OrganizationRoles.Admin);
        var set = await _api.ExpectAsync<StrategyResponse>(admin, HttpMethod.Put, "/api/routing/strategy",
            new { type = "balanced", allowPaidFallback = true, maxCostPer1M = 2.5m, minHealthScore = 0.75 }, HttpStatusCode.OK);
        Assert.Equal(new StrategyResponse("balanced", true, 2.5m, 0.75), set);
        Assert.Equal(set, await _api.ExpectAsync<StrategyResponse>(owner.Colleague(OrganizationRoles.Member), HttpMethod.Get,
            "/api/routing/strategy", null, HttpStatusCode.OK));

        // A PUT replaces everything: absent fields are none.
        var replaced = await _api.ExpectAsync<StrategyResponse>(owner, HttpMethod.Put, "/api/routing/strategy", new { type = "cost" }, HttpStatusCode.OK);
        Assert.Equal(new StrategyResponse("cost", false, null, null), replaced);
        // The same again is no change.
        await _api.ExpectAsync<StrategyResponse>(owner, HttpMethod.Put, "/api/routing/strategy", new { type = "cost" }, HttpStatusCode.OK);

        // Another organization is untouched.
        var stranger = TestCaller.NewOrganization();
        Assert.Equal("miser", (await _api.ExpectAsync<StrategyResponse>(stranger, HttpMethod.Get, "/api/routing/strategy", null, HttpStatusCode.OK)).Type);

        var events = (await fixture.WithDbAsync(db => db.Outbox.Where(m => m.OrganizationId == owner.OrganizationId)
            .OrderBy(m => m.CreatedAt).Select(m => m.Payload).ToListAsync())).Select(SynaxisEvent.FromJson).ToList();
        Assert.Equal(["RoutingStrategyChanged", "RoutingStrategyChanged"], events.Select(e => e.Type));
        Assert.Equal(JsonValueKind.Null, events[0].Data.GetProperty("before").ValueKind);
        Assert.Equal("balanced", events[0].Data.GetProperty("after").GetProperty("type").GetString());
        Assert.Equal("balanced", events[1].Data.GetProperty("before").GetProperty("type").GetString());
        Assert.Equal("cost", events[1].Data.GetProperty("after").GetProperty("type").GetString());
        Assert.Equal(admin.UserId, events[0].ActorId);
    }

    [Theory]
    [InlineData("""{}""", "Type")]
    [InlineData("""{"type": "ultra"}""", "Type")]
    [InlineData("""{"type": "miser", "minHealthScore": 1.01}""", "MinHealthScore")]
    [InlineData("""{"type": "miser", "minHealthScore": -0.1}""", "MinHealthScore")]
    [InlineData("""{"type": "miser", "maxCostPer1M": -1}""", "MaxCostPer1M")]
    [InlineData("""{"type": "miser", "maxCostPer1M": 0.0000000001}""", "MaxCostPer1M")]
    [InlineData("""{"type": "miser", "allowPaidFallback": "sometimes"}""", "allowPaidFallback")]
    public async Task Each_invalid_strategy_is_a_400_naming_the_field(string body, string field)
    {
        var owner = TestCaller.NewOrganization();
        var problem = await _api.ProblemAsync(owner, HttpMethod.Put, "/api/routing/strategy", body, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("miser", (await _api.ExpectAsync<StrategyResponse>(owner, HttpMethod.Get, "/api/routing/strategy", null, HttpStatusCode.OK)).Type);
    }
}
