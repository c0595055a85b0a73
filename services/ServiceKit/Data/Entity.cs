namespace Synaxis.ServiceKit.Data;

/// <summary>Rows that record when they were made and last changed (set by <see cref="AuditingInterceptor"/>).</summary>
public interface IAuditable
{
    DateTimeOffset CreatedAt { get; set; }

    DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Rows that are never physically deleted: a delete sets <see cref="DeletedAt"/> and
/// <see cref="DeletedBy"/>, and a global query filter hides the row from then on.
/// </summary>
public interface ISoftDeletable
{
    DateTimeOffset? DeletedAt { get; set; }

    Guid? DeletedBy { get; set; }
}

/// <summary>Base of the services' entities: a time-ordered id, audit stamps and soft delete.</summary>
public abstract class Entity : IAuditable, ISoftDeletable
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public Guid? DeletedBy { get; set; }
}
