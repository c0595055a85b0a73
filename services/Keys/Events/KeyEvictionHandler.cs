using Synaxis.Keys.Services;
using Synaxis.ServiceKit.Events;

namespace Synaxis.Keys.Events;

/// <summary>
/// Clears the gateways' caches for keys revoked or rotated, driven by Keys' own committed events. The
/// request paths evict at once as well; this is what covers revocations made by event handlers (which
/// must not evict before their transaction commits, or a gateway could re-cache the key in between) and
/// any eviction a Redis failure prevented. Separate consumer group, so it runs after the commit.
/// </summary>
public sealed class KeyEvictionHandler(KeyCacheEvictor evictor) : IEventHandler
{
    public const string ConsumerGroup = "keys-cache";

    public bool Handles(string eventType) =>
        eventType is KeysEventTypes.KeyRevoked or KeysEventTypes.KeyRotated or KeysEventTypes.KeyOwnerRoleChanged;

    public Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        if (@event.Type == KeysEventTypes.KeyOwnerRoleChanged)
        {
            var keyIds = @event.DataAs(KeysEventsJsonContext.Default.KeyOwnerRoleChangedData)?.KeyIds;
            return keyIds is { Count: > 0 } ? evictor.EvictAsync(keyIds) : Task.CompletedTask;
        }

        var revoked = @event.Type == KeysEventTypes.KeyRevoked;
        var keyId = revoked
            ? @event.DataAs(KeysEventsJsonContext.Default.KeyRevokedData)?.Key.KeyId
            : @event.DataAs(KeysEventsJsonContext.Default.KeyRotatedData)?.Key.KeyId;
        // A failure throws: the entry stays pending and is retried.
        return keyId is null ? Task.CompletedTask : evictor.EvictAsync([keyId], revoked);
    }
}
