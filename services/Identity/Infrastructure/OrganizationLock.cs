using Microsoft.EntityFrameworkCore;

namespace Synaxis.Identity.Infrastructure;

internal static class OrganizationLock
{
    /// <summary>
    /// Runs <paramref name="work"/> in a transaction holding a row lock on the organization, so checks
    /// such as "is this the last Owner?" cannot be raced by a concurrent change of the same organization
    /// (two Owners demoting each other at once would otherwise leave none).
    /// </summary>
    public static Task<T> RunLockedAsync<T>(
        this IdentityDbContext db, Guid organizationId, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync(
                $"SELECT 1 FROM identity.\"Organizations\" WHERE \"Id\" = {organizationId} FOR UPDATE", ct);
            var result = await work(ct);
            await transaction.CommitAsync(ct);
            return result;
        }, cancellationToken);
    }
}
