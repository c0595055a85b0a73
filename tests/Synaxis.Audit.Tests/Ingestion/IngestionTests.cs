using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.Audit.Tests.Infrastructure;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Audit.Tests.Ingestion;

/// <summary>Events written to the stream by ServiceKit's publisher, as every service's relay does, become the audit trail.</summary>
[Collection(AuditCollection.Name)]
public sealed class IngestionTests(AuditFixture fixture)
{
    private AuditService Service => fixture.Service;

    [Fact]
    public async Task An_admin_event_appears_in_logs_with_its_actor_client_and_before_and_after_values()
    {
        var caller = TestCaller.NewOrganization();
        var actor = Guid.NewGuid();
        var groupId = Guid.NewGuid();
        var origin = EventOrigin.User(actor, "req-42").WithClient("203.0.113.9", "synaxis-tests/1.0");
        var renamed = TestEvents.Change("GroupUpdated", caller.OrganizationId,
            before: new { id = groupId, name = "Ops", slug = "ops" },
            after: new { id = groupId, name = "Operations", slug = "ops" }, origin);

        await Service.PublishAndWaitAsync(renamed);

        var entry = Assert.Single((await Service.Api.LogsAsync(caller)).Items);
        Assert.Equal(renamed.Id, entry.Id);
        Assert.Equal(1, entry.Sequence);
        Assert.Equal(actor, entry.ActorId);
        Assert.Equal(EventActorTypes.User, entry.ActorType);
        Assert.Equal("GroupUpdated", entry.Action);
        Assert.Equal("Group", entry.ResourceType);
        Assert.Equal(groupId.ToString(), entry.ResourceId);
        Assert.Equal("Ops", entry.PreviousValues!.Value.GetProperty("name").GetString());
        Assert.Equal("Operations", entry.NewValues!.Value.GetProperty("name").GetString());
        Assert.Equal("req-42", entry.RequestId);
        Assert.Equal("203.0.113.9", entry.ClientAddress);
        Assert.Equal("synaxis-tests/1.0", entry.UserAgent);
        Assert.Equal(ToMicroseconds(renamed.OccurredAt), entry.OccurredAt);
    }

    [Fact]
    public async Task Data_without_before_and_after_is_kept_whole_and_names_its_resource_by_the_first_id_found()
    {
        var caller = TestCaller.NewOrganization();
        var keyId = Guid.NewGuid();
        var revoked = TestEvents.Admin("KeyRevoked", caller.OrganizationId, new { key = new { id = keyId, name = "laptop" }, reason = "deleted" });
        var policy = TestEvents.Admin("PolicyChanged", caller.OrganizationId, new { scope = "user", scopeId = Guid.NewGuid(), before = (object?)null, after = new { requestsPerMinute = 5 } });
        var roleChanged = TestEvents.Change("MemberRoleChanged", caller.OrganizationId, new { userId = Guid.NewGuid(), role = "Member" }, new { userId = Guid.NewGuid(), role = "Admin" });

        await Service.PublishAndWaitAsync(revoked, policy, roleChanged);

        var entries = (await Service.Api.LogsAsync(caller)).Items.ToDictionary(e => e.Id);
        var key = entries[revoked.Id];
        Assert.Equal("Key", key.ResourceType);
        Assert.Equal(keyId.ToString(), key.ResourceId);
        Assert.Null(key.PreviousValues);
        Assert.Equal("deleted", key.NewValues!.Value.GetProperty("reason").GetString());

        var changed = entries[policy.Id];
        Assert.Equal("Policy", changed.ResourceType);
        Assert.Equal(policy.Data.GetProperty("scopeId").GetString(), changed.ResourceId);
        Assert.Null(changed.PreviousValues);
        Assert.Equal(5, changed.NewValues!.Value.GetProperty("requestsPerMinute").GetInt32());

        Assert.Equal("Member", entries[roleChanged.Id].ResourceType);
        Assert.Null(entries[roleChanged.Id].ResourceId);
    }

    [Fact]
    public async Task The_same_event_delivered_twice_is_one_row_and_advances_the_chain_once()
    {
        var caller = TestCaller.NewOrganization();
        var first = TestEvents.Admin("KeyCreated", caller.OrganizationId, new { key = new { id = Guid.NewGuid() } });
        var second = TestEvents.Admin("KeyCreated", caller.OrganizationId, new { key = new { id = Guid.NewGuid() } });

        // A relay that re-publishes after its marker expired appends the same envelope again.
        await AppendRawAsync(Service.EventStream, first);
        await AppendRawAsync(Service.EventStream, first);
        await AppendRawAsync(Service.EventStream, second);
        await Service.WaitForRecordedAsync(first.Id, second.Id);
        await WaitUntilStreamIsAcknowledgedAsync();

        var entries = await Service.Api.AllLogsAsync(caller);
        Assert.Equal(2, entries.Count);
        Assert.Equal([1L, 2L], entries.Select(e => e.Sequence).Order());
        var head = await Service.WithDbAsync(db => db.ChainHeads.SingleAsync(h => h.OrganizationId == caller.OrganizationId));
        Assert.Equal(2, head.Sequence);
        Assert.True((await Service.Api.VerifyAsync(caller)).Intact);
    }

    [Fact]
    public async Task Events_of_no_organization_are_recorded_but_visible_to_nobody()
    {
        var caller = TestCaller.NewOrganization();
        var platform = TestEvents.Admin("ProviderHealthChanged", null, new { providerId = Guid.NewGuid(), name = "mock-free", before = "closed", after = "open" });
        var own = TestEvents.Admin("ProviderHealthChanged", caller.OrganizationId, new { providerId = Guid.NewGuid(), name = "mine", before = "closed", after = "open" });

        await Service.PublishAndWaitAsync(platform, own);

        var stored = await Service.WithDbAsync(db => db.Logs.SingleAsync(l => l.Id == platform.Id));
        Assert.Equal(Guid.Empty, stored.OrganizationId);
        Assert.Equal("ProviderHealth", stored.ResourceType);
        var visible = Assert.Single((await Service.Api.LogsAsync(caller)).Items);
        Assert.Equal(own.Id, visible.Id);
    }

    [Fact]
    public async Task SettingsChanged_sets_the_organizations_retention_and_an_older_setting_arriving_late_does_not_undo_it()
    {
        var organizationId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var newer = TestEvents.Change("SettingsChanged", organizationId, new { auditRetentionDays = 90 }, new { auditRetentionDays = 30 }, occurredAt: now);
        var older = TestEvents.Change("SettingsChanged", organizationId, new { auditRetentionDays = 90 }, new { auditRetentionDays = 365 }, occurredAt: now.AddMinutes(-5));

        await Service.PublishAndWaitAsync(newer);
        await Service.PublishAndWaitAsync(older);

        var retention = await Service.WithDbAsync(db => db.OrganizationRetention.SingleAsync(r => r.OrganizationId == organizationId));
        Assert.Equal(30, retention.RetentionDays);
    }

    [Fact]
    public async Task An_entry_that_is_not_an_event_goes_to_the_dead_letter_stream_and_does_not_hold_back_the_others()
    {
        var caller = TestCaller.NewOrganization();
        var good = TestEvents.Admin("GroupCreated", caller.OrganizationId, new { after = new { id = Guid.NewGuid(), name = "g" } });
        var badUsage = TestEvents.Admin("UsageRecorded", caller.OrganizationId, new { model = 12 });
        await Service.Redis.StreamAddAsync(Service.EventStream, [new("id", Guid.NewGuid().ToString()), new(EventStreamFields.Payload, "{not json")]);
        await AppendRawAsync(Service.UsageStream, badUsage);
        await Service.PublishAndWaitAsync(good);

        var dead = await Eventually.ResultAsync(
            async () => (await Service.Redis.StreamRangeAsync(EventStreams.DeadLetterOf(Service.EventStream))).Length
                + (await Service.Redis.StreamRangeAsync(EventStreams.DeadLetterOf(Service.UsageStream))).Length,
            count => count >= 2, "both unreadable entries to be dead-lettered");
        Assert.Equal(2, dead);
        var usageDead = Assert.Single(await Service.Redis.StreamRangeAsync(EventStreams.DeadLetterOf(Service.UsageStream)));
        Assert.Contains("UsageRecorded", usageDead[EventStreamFields.Error].ToString());
        await WaitUntilStreamIsAcknowledgedAsync();
        Assert.Single((await Service.Api.LogsAsync(caller)).Items);
    }

    private async Task AppendRawAsync(string stream, SynaxisEvent @event) =>
        await Service.Redis.StreamAddAsync(stream,
        [
            new(EventStreamFields.Id, @event.Id.ToString()),
            new(EventStreamFields.Type, @event.Type),
            new(EventStreamFields.Organization, @event.OrganizationId?.ToString() ?? ""),
            new(EventStreamFields.Payload, @event.ToJson()),
        ]);

    private Task WaitUntilStreamIsAcknowledgedAsync() => Eventually.TrueAsync(async () =>
        (await Service.Redis.StreamPendingAsync(Service.EventStream, "audit")).PendingMessageCount == 0
        && (await Service.Redis.StreamPendingAsync(Service.UsageStream, "audit")).PendingMessageCount == 0,
        "every entry to be acknowledged");

    internal static DateTimeOffset ToMicroseconds(DateTimeOffset instant) => new(instant.UtcTicks - instant.UtcTicks % 10, TimeSpan.Zero);

    internal static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
