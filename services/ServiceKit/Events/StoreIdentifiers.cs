using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Quoted table and column names of an entity as a service's model maps it (its schema, any naming
/// convention), for the few statements EF cannot express: FOR UPDATE SKIP LOCKED, ON CONFLICT DO NOTHING.
/// </summary>
internal sealed class StoreIdentifiers
{
    private readonly IEntityType _entityType;
    private readonly StoreObjectIdentifier _table;
    private readonly ISqlGenerationHelper _sql;

    private StoreIdentifiers(IEntityType entityType, StoreObjectIdentifier table, ISqlGenerationHelper sql)
    {
        _entityType = entityType;
        _table = table;
        _sql = sql;
    }

    public static StoreIdentifiers Of<TEntity>(DbContext context, string configurationHint)
    {
        var entityType = context.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException(
                $"{context.GetType().Name} does not map {typeof(TEntity).Name}: apply {configurationHint} in its OnModelCreating.");
        var table = StoreObjectIdentifier.Create(entityType, StoreObjectType.Table)
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped to a table in {context.GetType().Name}.");
        return new StoreIdentifiers(entityType, table, context.GetService<ISqlGenerationHelper>());
    }

    public string Table => _sql.DelimitIdentifier(_table.Name, _table.Schema);

    public string Column(string propertyName)
    {
        var column = _entityType.GetProperty(propertyName).GetColumnName(_table)
            ?? throw new InvalidOperationException($"{_entityType.DisplayName()}.{propertyName} has no column in {_table.DisplayName()}.");
        return _sql.DelimitIdentifier(column);
    }
}
