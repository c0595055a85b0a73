using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Security;

namespace Synaxis.ServiceKit.Tests.Events;

/// <summary>The envelope's JSON contract and how the actor is read from a caller's identity.</summary>
public sealed class SynaxisEventTests
{
    [Fact]
    public void Envelope_round_trips_as_camel_case_json_without_null_members()
    {
        var organizationId = Guid.NewGuid();
        var userId = Guid.NewGuid();
        var data = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["before"] = new { name = "a" }, ["after"] = new { name = "b" } });

        var @event = SynaxisEvent.Create("OrganizationRenamed", organizationId, data, EventOrigin.User(userId), DateTimeOffset.UtcNow);
        var json = @event.ToJson();

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(@event.Id, root.GetProperty("id").GetGuid());
        Assert.Equal("OrganizationRenamed", root.GetProperty("type").GetString());
        Assert.Equal(organizationId, root.GetProperty("organizationId").GetGuid());
        Assert.Equal(userId, root.GetProperty("actorId").GetGuid());
        Assert.Equal("user", root.GetProperty("actorType").GetString());
        Assert.Equal("b", root.GetProperty("data").GetProperty("after").GetProperty("name").GetString());
        Assert.True(root.TryGetProperty("occurredAt", out _));
        Assert.False(root.TryGetProperty("requestId", out _));

        var parsed = SynaxisEvent.FromJson(json);
        Assert.Equal(@event.Id, parsed.Id);
        Assert.Equal(@event.OccurredAt, parsed.OccurredAt);
        Assert.Equal(@event.ActorId, parsed.ActorId);
        Assert.Equal("a", parsed.Data.GetProperty("before").GetProperty("name").GetString());
    }

    [Fact]
    public void Ids_are_version_7()
    {
        var @event = SynaxisEvent.Create("X", null, default, EventOrigin.System, DateTimeOffset.UtcNow);

        Assert.Equal(7, @event.Id.Version);
        Assert.Equal(JsonValueKind.Object, @event.Data.ValueKind);
    }

    [Fact]
    public void A_payload_missing_a_required_member_is_rejected()
    {
        Assert.Throws<JsonException>(() => SynaxisEvent.FromJson("""{"id":"0197f5d8-0000-7000-8000-000000000000","type":"X","actorType":"system"}"""));
        Assert.Throws<JsonException>(() => SynaxisEvent.FromJson("not json"));
    }

    [Fact]
    public void The_current_trace_is_captured()
    {
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        var @event = SynaxisEvent.Create("X", null, default, EventOrigin.System, DateTimeOffset.UtcNow);

        Assert.Equal(activity.Id, @event.TraceParent);
    }

    [Fact]
    public void Origin_of_a_key_caller_is_the_key()
    {
        var keyId = Guid.NewGuid();
        var principal = Principal(
            (SynaxisClaims.Subject, Guid.NewGuid().ToString()),
            (SynaxisClaims.KeyId, keyId.ToString()),
            (SynaxisClaims.RequestId, "req-1"));

        Assert.Equal(new EventOrigin(EventActorTypes.Key, keyId, "req-1"), EventOrigin.FromPrincipal(principal));
    }

    [Fact]
    public void Origin_of_a_user_caller_is_the_user_also_under_the_mapped_claim_name()
    {
        var userId = Guid.NewGuid();
        var organizationId = Guid.NewGuid();

        Assert.Equal(EventOrigin.User(userId, "req-2"), EventOrigin.FromPrincipal(Principal(
            (SynaxisClaims.Subject, userId.ToString()), (SynaxisClaims.RequestId, "req-2"))));
        Assert.Equal(EventOrigin.User(userId), EventOrigin.FromPrincipal(Principal((ClaimTypes.NameIdentifier, userId.ToString()))));
        Assert.Equal(organizationId, EventOrigin.OrganizationOf(Principal(
            (SynaxisClaims.Subject, userId.ToString()), (SynaxisClaims.OrganizationId, organizationId.ToString()))));
    }

    [Fact]
    public void Origin_without_an_authenticated_caller_is_the_system()
    {
        Assert.Equal(EventOrigin.System, EventOrigin.FromPrincipal(null));
        Assert.Equal(EventOrigin.System, EventOrigin.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.Null(EventOrigin.OrganizationOf(new ClaimsPrincipal(new ClaimsIdentity())));
    }

    [Fact]
    public void A_cascade_keeps_the_actor_and_request_of_its_cause()
    {
        var cause = SynaxisEvent.Create("OrganizationDeleted", Guid.NewGuid(), default, EventOrigin.User(Guid.NewGuid(), "req-3"), DateTimeOffset.UtcNow);

        var origin = EventOrigin.CausedBy(cause);

        Assert.Equal((cause.ActorType, cause.ActorId, cause.RequestId), (origin.ActorType, origin.ActorId, origin.RequestId));
    }

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), authenticationType: "test"));
}
