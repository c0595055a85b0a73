using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Synaxis.ServiceKit.Data;

/// <summary>
/// The one interceptor every service uses: stamps CreatedAt/UpdatedAt, and turns deletes of
/// <see cref="ISoftDeletable"/> rows into soft deletes that cascade along every navigation whose
/// foreign key is configured with <see cref="DeleteBehavior.Cascade"/> (organization → groups →
/// memberships, say). Everything happens inside the same SaveChanges, so a cascade is all or nothing.
/// </summary>
public sealed class AuditingInterceptor(TimeProvider timeProvider, IActorAccessor actorAccessor) : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await CascadeSoftDeletesAsync(context, cancellationToken);
            Stamp(context);
        }
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        throw new InvalidOperationException("Use SaveChangesAsync: soft-delete cascades load rows and never block a thread.");

    private static async Task CascadeSoftDeletesAsync(DbContext context, CancellationToken cancellationToken)
    {
        var pending = new Queue<EntityEntry>(DeletedSoftDeletables(context));
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        while (pending.TryDequeue(out var entry))
        {
            if (!visited.Add(entry.Entity))
            {
                continue;
            }

            foreach (var navigation in entry.Navigations)
            {
                if (navigation.Metadata is not INavigation { IsOnDependent: false } metadata
                    || metadata.ForeignKey.DeleteBehavior != DeleteBehavior.Cascade
                    || !typeof(ISoftDeletable).IsAssignableFrom(metadata.TargetEntityType.ClrType))
                {
                    continue;
                }

                // Loading goes through the query filter, so rows already deleted stay as they were.
                await navigation.LoadAsync(cancellationToken);
                foreach (var dependent in Dependents(navigation))
                {
                    var dependentEntry = context.Entry(dependent);
                    if (dependentEntry.State != EntityState.Deleted)
                    {
                        dependentEntry.State = EntityState.Deleted;
                    }
                    pending.Enqueue(dependentEntry);
                }
            }
        }
    }

    private void Stamp(DbContext context)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State == EntityState.Deleted && entry.Entity is ISoftDeletable deletable)
            {
                entry.State = EntityState.Modified;
                deletable.DeletedAt = now;
                deletable.DeletedBy = actorAccessor.ActorId;
            }

            if (entry.Entity is not IAuditable auditable)
            {
                continue;
            }

            if (entry.State == EntityState.Added)
            {
                auditable.CreatedAt = now;
                auditable.UpdatedAt = now;
            }
            else if (entry.State == EntityState.Modified)
            {
                auditable.UpdatedAt = now;
                entry.Property(nameof(IAuditable.CreatedAt)).IsModified = false;
            }
        }
    }

    private static IEnumerable<EntityEntry> DeletedSoftDeletables(DbContext context) =>
        context.ChangeTracker.Entries().Where(e => e.State == EntityState.Deleted && e.Entity is ISoftDeletable).ToList();

    private static IEnumerable<object> Dependents(NavigationEntry navigation) => navigation.CurrentValue switch
    {
        null => [],
        System.Collections.IEnumerable many => many.Cast<object>().ToList(),
        var one => [one],
    };
}
