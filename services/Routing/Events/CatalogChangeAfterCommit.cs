using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Synaxis.Routing.Catalog;

namespace Synaxis.Routing.Events;

/// <summary>
/// Announces a catalog change once the transaction that made it commits, for writers that do not commit themselves
/// (event handlers: the consumer commits after them). Announcing earlier would let other instances reload before
/// the change is visible, and not again until their periodic refresh.
/// </summary>
public sealed class CatalogChangeAfterCommit(CatalogChangeNotifier notifier) : IDbTransactionInterceptor, ISaveChangesInterceptor
{
    // Weak, so pooled or abandoned contexts are not kept alive. A request left over by a transaction that was disposed
    // without commit or rollback only causes one needless reload later.
    private readonly ConditionalWeakTable<DbContext, object> _pending = new();

    /// <summary>Announces the change after <paramref name="db"/>'s transaction commits (or its next save, without one).</summary>
    public void Request(DbContext db) => _pending.AddOrUpdate(db, this);

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && _pending.Remove(context))
        {
            await notifier.NotifyAsync();
        }
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && _pending.Remove(context))
        {
            // NotifyAsync never throws (a failed publish is logged); a synchronous commit must not wait on Redis.
            _ = notifier.NotifyAsync();
        }
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { Database.CurrentTransaction: null } context && _pending.Remove(context))
        {
            await notifier.NotifyAsync();
        }
        return result;
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}
