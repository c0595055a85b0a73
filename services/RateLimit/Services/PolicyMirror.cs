using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Synaxis.ServiceKit.Admission;
using Synaxis.RateLimit.Infrastructure;
using Synaxis.RateLimit.Model;

namespace Synaxis.RateLimit.Services;

/// <summary>Turns policy rows into mirror entries (organization and level ids in GUID "D" form).</summary>
public static class PolicyMirrorMapping
{
    public static PolicyMirrorEntry ToEntry(RateLimitPolicy p)
    {
        var level = LimitNames.ParseLevel(p.Scope) ?? throw new InvalidOperationException($"Unknown policy scope '{p.Scope}'.");
        var deleted = p.DeletedAt is not null;
        var version = (deleted ? p.DeletedAt!.Value : p.UpdatedAt).ToUnixTimeMilliseconds();
        return new PolicyMirrorEntry(p.OrganizationId.ToString(), level, p.ScopeId.ToString(),
            new LimitPolicy(p.RequestsPerMinute, p.TokensPerMinute, p.TokensPerDay, p.MonthlyBudgetUsd), deleted, version);
    }
}

/// <summary>
/// Mirrors every saved policy change to Redis once the database has committed it: right after SaveChanges
/// when no explicit transaction is open (the API), else when the transaction commits (the event consumer).
/// A Redis failure is logged and never fails the caller; <see cref="PolicyMirrorSweeper"/> heals it.
/// Singleton (the context is pooled); the pending changes are kept per context instance.
/// </summary>
public sealed partial class PolicyMirrorInterceptor(PolicyMirrorWriter writer, ILogger<PolicyMirrorInterceptor> logger)
    : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<RateLimitPolicy>> _pending = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null)
        {
            await FlushAsync(context);
        }
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await FlushAsync(context);
        }
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            FlushAsync(context).GetAwaiter().GetResult();
        }
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Discard(eventData.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is not RateLimitDbContext)
        {
            return;
        }
        var changed = context.ChangeTracker.Entries<RateLimitPolicy>()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => e.Entity)
            .ToList();
        if (changed.Count == 0)
        {
            return;
        }
        var pending = _pending.GetOrCreateValue(context);
        lock (pending)
        {
            foreach (var policy in changed)
            {
                if (!pending.Contains(policy))
                {
                    pending.Add(policy);
                }
            }
        }
    }

    private void Discard(DbContext? context)
    {
        if (context is not null && _pending.TryGetValue(context, out var pending))
        {
            lock (pending)
            {
                pending.Clear();
            }
        }
    }

    private async Task FlushAsync(DbContext context)
    {
        if (!_pending.TryGetValue(context, out var pending))
        {
            return;
        }
        List<PolicyMirrorEntry> entries;
        lock (pending)
        {
            // Read now, after the save: the auditing interceptor has set UpdatedAt / DeletedAt (soft delete).
            entries = pending.Select(PolicyMirrorMapping.ToEntry).ToList();
            pending.Clear();
        }
        try
        {
            await writer.WriteAsync(entries);
        }
        catch (Exception e)
        {
            LogMirrorFailed(logger, e, entries.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not mirror {Count} committed policy change(s) to Redis; the periodic sweep will.")]
    private static partial void LogMirrorFailed(ILogger logger, Exception exception, int count);

    // Not used: pass through.
    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result) => result;
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result) => result;
    public ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(result);
    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) => ValueTask.FromResult(result);
    public DbTransaction TransactionUsed(DbConnection connection, TransactionEventData eventData, DbTransaction result) => result;
    public ValueTask<DbTransaction> TransactionUsedAsync(DbConnection connection, TransactionEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) => ValueTask.FromResult(result);
    public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result) => result;
    public ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) => ValueTask.FromResult(result);
    public InterceptionResult TransactionRollingBack(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result) => result;
    public ValueTask<InterceptionResult> TransactionRollingBackAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) => ValueTask.FromResult(result);
}

/// <summary>
/// Rebuilds the policy mirror from the database at startup (every live policy, in batches; and removes the
/// mirrors of deleted ones) and again every <see cref="Interval"/>, healing a flushed Redis or a missed write.
/// </summary>
public sealed partial class PolicyMirrorSweeper(
    IServiceScopeFactory scopes,
    PolicyMirrorWriter writer,
    TimeProvider time,
    ILogger<PolicyMirrorSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    public const int BatchSize = 500;

    /// <summary>Deleted rows are swept again when deleted since the previous sweep, with this margin.</summary>
    private static readonly TimeSpan DeletedMargin = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _lastSweep;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, e);
            }
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One sweep: live policies are (re)written, policies deleted since the last sweep are removed.</summary>
    /// <returns>How many live policies were written.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var deletedSince = _lastSweep is { } last ? last - DeletedMargin : DateTimeOffset.MinValue;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RateLimitDbContext>();

        // Deleted first, skipping those replaced by a live policy (which is written next, and wins anyway by version).
        var after = Guid.Empty;
        while (true)
        {
            var cursor = after;
            var deleted = await db.Policies.IgnoreQueryFilters().AsNoTracking()
                .Where(p => p.DeletedAt != null && p.DeletedAt >= deletedSince && p.Id.CompareTo(cursor) > 0)
                // IgnoreQueryFilters covers the subquery too: say DeletedAt == null explicitly.
                .Where(p => !db.Policies.Any(l => l.DeletedAt == null && l.OrganizationId == p.OrganizationId && l.Scope == p.Scope && l.ScopeId == p.ScopeId))
                .OrderBy(p => p.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (deleted.Count == 0)
            {
                break;
            }
            await writer.WriteAsync(deleted.Select(PolicyMirrorMapping.ToEntry).ToList());
            after = deleted[^1].Id;
        }

        var written = 0;
        after = Guid.Empty;
        while (true)
        {
            var cursor = after;
            var live = await db.Policies.AsNoTracking()
                .Where(p => p.Id.CompareTo(cursor) > 0)
                .OrderBy(p => p.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (live.Count == 0)
            {
                break;
            }
            await writer.WriteAsync(live.Select(PolicyMirrorMapping.ToEntry).ToList());
            written += live.Count;
            after = live[^1].Id;
        }
        _lastSweep = started;
        LogSwept(logger, written);
        return written;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy mirror swept: {Count} live policies written to Redis.")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy mirror sweep failed; retrying at the next interval.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
