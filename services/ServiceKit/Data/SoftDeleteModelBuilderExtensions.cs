using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Synaxis.ServiceKit.Data;

public static class SoftDeleteModelBuilderExtensions
{
    /// <summary>Name of the query filter that hides soft-deleted rows (for <c>IgnoreQueryFilters([...])</c>).</summary>
    public const string FilterName = "SoftDelete";

    /// <summary>
    /// Hides soft-deleted rows of every <see cref="ISoftDeletable"/> entity type. Call at the end of
    /// <c>OnModelCreating</c>. The filter is named, so tenant or other filters can sit beside it.
    /// </summary>
    public static ModelBuilder ApplySoftDeleteQueryFilters(this ModelBuilder modelBuilder)
    {
        foreach (var entityType in modelBuilder.Model.GetEntityTypes())
        {
            if (entityType.BaseType is not null || !typeof(ISoftDeletable).IsAssignableFrom(entityType.ClrType))
            {
                continue;
            }

            var row = Expression.Parameter(entityType.ClrType, "row");
            var deletedAt = Expression.Property(row, nameof(ISoftDeletable.DeletedAt));
            var notDeleted = Expression.Lambda(Expression.Equal(deletedAt, Expression.Constant(null, typeof(DateTimeOffset?))), row);
            modelBuilder.Entity(entityType.ClrType).HasQueryFilter(FilterName, notDeleted);
        }
        return modelBuilder;
    }
}
