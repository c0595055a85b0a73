using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Synaxis.Audit.Infrastructure;

namespace Synaxis.Audit.Retention;

/// <summary>The retentions in force: the default (<c>Audit:Retention:DefaultDays</c>) and every organization's own.</summary>
public sealed class RetentionPolicy(AuditDbContext db, IOptions<RetentionOptions> options)
{
    public int DefaultDays => options.Value.DefaultDays;

    /// <summary>The longest and the shortest retention in force, in days.</summary>
    public async Task<(int Longest, int Shortest)> BoundsAsync(CancellationToken cancellationToken)
    {
        var longest = await db.OrganizationRetention.MaxAsync(r => (int?)r.RetentionDays, cancellationToken);
        var shortest = await db.OrganizationRetention.MinAsync(r => (int?)r.RetentionDays, cancellationToken);
        return (Math.Max(DefaultDays, longest ?? DefaultDays), Math.Min(DefaultDays, shortest ?? DefaultDays));
    }

    /// <summary>How far back anything can still be stored: the default window of the query APIs.</summary>
    public async Task<int> LongestAsync(CancellationToken cancellationToken) => (await BoundsAsync(cancellationToken)).Longest;
}
