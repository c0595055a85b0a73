using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Tests;

/// <summary>
/// Keys' events go out through its outbox with each change; Identity's events (written here into the
/// service's own outbox, so they travel the real relay, stream and consumer) revoke keys and update roles.
/// </summary>
[Collection(KeysServiceCollection.Name)]
public sealed class EventsTests(KeysServiceFixture fixture)
{
    private readonly KeysApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Create_revoke_and_rotate_publish_their_events_without_the_secret()
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateAsync(owner);
        var rotated = await _api.RotateAsync(owner, created.Id, 60);
        (await _api.SendAsync(owner, HttpMethod.Delete, $"/api/keys/{rotated.Id}")).Dispose();

        var events = await Eventually.ResultAsync(
            () => fixture.WithDbAsync(db => db.Outbox.Where(m => m.OrganizationId == owner.OrganizationId).OrderBy(m => m.CreatedAt).ToListAsync()),
            rows => rows.Count == 3 && rows.All(r => r.PublishedAt is not null),
            "three published events");

        Assert.Equal(["KeyCreated", "KeyRotated", "KeyRevoked"], events.Select(e => e.Type));
        foreach (var row in events)
        {
            Assert.DoesNotContain(created.Key[52..], row.Payload);
            Assert.DoesNotContain(rotated.Key[52..], row.Payload);
            Assert.DoesNotContain("$2", row.Payload);
            var envelope = SynaxisEvent.FromJson(row.Payload);
            Assert.Equal(EventActorTypes.User, envelope.ActorType);
            Assert.Equal(owner.UserId, envelope.ActorId);
        }
        var revoked = SynaxisEvent.FromJson(events[2].Payload).Data;
        Assert.Equal(rotated.Id, revoked.GetProperty("key").GetProperty("id").GetGuid());
        Assert.Equal("deleted", revoked.GetProperty("reason").GetString());
        var rotation = SynaxisEvent.FromJson(events[1].Payload).Data;
        Assert.Equal(created.Id, rotation.GetProperty("key").GetProperty("id").GetGuid());
        Assert.Equal(rotated.Id, rotation.GetProperty("replacement").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task OrganizationDeleted_revokes_and_removes_every_key_of_the_organization_and_evicts_them()
    {
        var owner = TestCaller.NewOrganization();
        var member = owner.Colleague(OrganizationRoles.Member);
        var bystander = TestCaller.NewOrganization();
        var ownersKey = await _api.CreateAsync(owner);
        var membersKey = await _api.CreateAsync(member);
        var otherKey = await _api.CreateAsync(bystander);
        var cacheKey = ApiKeyRedisKeys.Verified(KeyIdOf(membersKey.Key));
        await fixture.Redis.GetDatabase().StringSetAsync(cacheKey, "{}", TimeSpan.FromMinutes(10));

        await PublishIdentityEventAsync("OrganizationDeleted", owner.OrganizationId,
            new { before = new { id = owner.OrganizationId, name = "Acme" }, after = (object?)null });

        await Eventually.TrueAsync(async () => (await _api.VerifyAsync(membersKey.Key)).Reason == "revoked", "the member's key to be revoked");
        Assert.Equal("revoked", (await _api.VerifyAsync(ownersKey.Key)).Reason);
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(otherKey.Key)).Status);
        await Eventually.TrueAsync(async () => !await fixture.Redis.GetDatabase().KeyExistsAsync(cacheKey), "the cache entry to be evicted");
        // The deleted organization's former owner has no rights left there at all.
        using var get = await _api.SendAsync(owner, HttpMethod.Get, $"/api/keys/{ownersKey.Id}");
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        await Eventually.TrueAsync(
            () => fixture.WithDbAsync(async db => await db.Outbox.CountAsync(m => m.OrganizationId == owner.OrganizationId && m.Type == "KeyRevoked") == 2),
            "a KeyRevoked event per key");
    }

    [Fact]
    public async Task MemberRemoved_revokes_that_members_keys_in_that_organization_only()
    {
        var owner = TestCaller.NewOrganization();
        var leaving = owner.Colleague(OrganizationRoles.Member);
        var staying = owner.Colleague(OrganizationRoles.Member);
        var leavingKey = await _api.CreateAsync(leaving);
        var stayingKey = await _api.CreateAsync(staying);
        // The same user in another organization keeps their keys there.
        var elsewhere = new TestCaller(Guid.NewGuid(), leaving.UserId, OrganizationRoles.Owner);
        var elsewhereKey = await _api.CreateAsync(elsewhere);

        await PublishIdentityEventAsync("MemberRemoved", owner.OrganizationId,
            new { before = new { userId = leaving.UserId, role = "Member" }, after = (object?)null });

        await Eventually.TrueAsync(async () => (await _api.VerifyAsync(leavingKey.Key)).Reason == "revoked", "the leaving member's key to be revoked");
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(stayingKey.Key)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(elsewhereKey.Key)).Status);
    }

    [Fact]
    public async Task MemberRoleChanged_evicts_the_members_cached_keys_so_gateways_pick_up_the_new_role()
    {
        var owner = TestCaller.NewOrganization();
        var admin = owner.Colleague(OrganizationRoles.Admin);
        var key = await _api.CreateAsync(admin);
        var cacheKey = ApiKeyRedisKeys.Verified(KeyIdOf(key.Key));
        await fixture.Redis.GetDatabase().StringSetAsync(cacheKey, "{}", TimeSpan.FromMinutes(10));

        await PublishIdentityEventAsync("MemberRoleChanged", owner.OrganizationId,
            new { before = new { userId = admin.UserId, role = "Admin" }, after = new { userId = admin.UserId, role = "Member" } });

        await Eventually.TrueAsync(async () => !await fixture.Redis.GetDatabase().KeyExistsAsync(cacheKey), "the demoted member's key to be evicted");
        Assert.Equal(OrganizationRoles.Member, (await _api.VerifyAsync(key.Key)).Key!.Role);
    }

    [Fact]
    public async Task A_removed_member_keeps_no_power_from_a_still_valid_token()
    {
        var owner = TestCaller.NewOrganization();
        var admin = owner.Colleague(OrganizationRoles.Admin);
        var ownersKey = await _api.CreateAsync(owner);
        await _api.CreateAsync(admin);

        var marker = await PublishIdentityEventAsync("MemberRemoved", owner.OrganizationId,
            new { before = new { userId = admin.UserId, role = "Admin" }, after = (object?)null });
        await Eventually.TrueAsync(() => fixture.WithDbAsync(db => db.ProcessedEvents.AnyAsync(p => p.EventId == marker && p.ConsumerGroup == "keys")),
            "the removal to be processed");

        // The signed identity still says Admin (a token minted before the removal)...
        using var create = await _api.SendAsync(admin, HttpMethod.Post, "/api/keys/", new { name = "after removal", scopes = new[] { "inference" } });
        using var revoke = await _api.SendAsync(admin, HttpMethod.Delete, $"/api/keys/{ownersKey.Id}");
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(ownersKey.Key)).Status);
    }

    [Fact]
    public async Task A_demoted_admin_acts_with_the_new_role_at_once()
    {
        var owner = TestCaller.NewOrganization();
        var admin = owner.Colleague(OrganizationRoles.Admin);
        var ownersKey = await _api.CreateAsync(owner);
        await _api.CreateAsync(admin);

        var marker = await PublishIdentityEventAsync("MemberRoleChanged", owner.OrganizationId,
            new { before = new { userId = admin.UserId, role = "Admin" }, after = new { userId = admin.UserId, role = "Member" } });
        await Eventually.TrueAsync(() => fixture.WithDbAsync(db => db.ProcessedEvents.AnyAsync(p => p.EventId == marker && p.ConsumerGroup == "keys")),
            "the demotion to be processed");

        using var revoke = await _api.SendAsync(admin, HttpMethod.Delete, $"/api/keys/{ownersKey.Id}");
        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(ownersKey.Key)).Status);
    }

    [Fact]
    public async Task MemberRoleChanged_updates_the_role_verification_answers_with()
    {
        var owner = TestCaller.NewOrganization();
        var member = owner.Colleague(OrganizationRoles.Member);
        var key = await _api.CreateAsync(member);
        Assert.Equal(OrganizationRoles.Member, (await _api.VerifyAsync(key.Key)).Key!.Role);

        await PublishIdentityEventAsync("MemberRoleChanged", owner.OrganizationId,
            new { before = new { userId = member.UserId, role = "Member" }, after = new { userId = member.UserId, role = "Admin" } });

        await Eventually.TrueAsync(async () => (await _api.VerifyAsync(key.Key)).Key?.Role == OrganizationRoles.Admin, "the new role");

        // An older event arriving late does not undo the newer one.
        await PublishIdentityEventAsync("MemberRoleChanged", owner.OrganizationId,
            new { before = new { userId = member.UserId, role = "Admin" }, after = new { userId = member.UserId, role = "Member" } },
            occurredAt: DateTimeOffset.UtcNow.AddHours(-1));
        var marker = await PublishIdentityEventAsync("MemberRoleChanged", owner.OrganizationId,
            new { after = new { userId = Guid.NewGuid(), role = "Member" } });
        await Eventually.TrueAsync(() => fixture.WithDbAsync(db => db.ProcessedEvents.AnyAsync(p => p.EventId == marker && p.ConsumerGroup == "keys")),
            "the later events to be processed");
        Assert.Equal(OrganizationRoles.Admin, (await _api.VerifyAsync(key.Key)).Key!.Role);
    }

    [Fact]
    public async Task A_key_created_after_a_late_MemberRemoved_is_not_revoked_by_it()
    {
        var owner = TestCaller.NewOrganization();
        var member = owner.Colleague(OrganizationRoles.Member);
        var removedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        var key = await _api.CreateAsync(member);
        // The member was added back after that removal (which is why they could make a key at all).
        await PublishIdentityEventAsync("MemberAdded", owner.OrganizationId,
            new { after = new { userId = member.UserId, role = "Member" } }, occurredAt: DateTimeOffset.UtcNow.AddMinutes(-1));

        var removal = await PublishIdentityEventAsync("MemberRemoved", owner.OrganizationId,
            new { before = new { userId = member.UserId, role = "Member" } }, occurredAt: removedAt);

        await Eventually.TrueAsync(() => fixture.WithDbAsync(db => db.ProcessedEvents.AnyAsync(p => p.EventId == removal && p.ConsumerGroup == "keys")),
            "the removal to be processed");
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(key.Key)).Status);
    }

    /// <summary>Writes an Identity event into the service's outbox: its relay publishes it, its consumers apply it.</summary>
    private Task<Guid> PublishIdentityEventAsync(string type, Guid organizationId, object data, DateTimeOffset? occurredAt = null) =>
        fixture.WithDbAsync(async db =>
        {
            var @event = SynaxisEvent.Create(type, organizationId, JsonSerializer.SerializeToElement(data),
                EventOrigin.User(Guid.NewGuid()), occurredAt ?? DateTimeOffset.UtcNow);
            db.AddEvent(@event);
            await db.SaveChangesAsync();
            return @event.Id;
        });

    private static string KeyIdOf(string key)
    {
        ApiKeyFormat.TryParse(key, out var id);
        return id.ToString();
    }
}
