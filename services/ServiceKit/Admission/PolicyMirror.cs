using StackExchange.Redis;

namespace Synaxis.ServiceKit.Admission;

/// <summary>One policy as mirrored to Redis; <see cref="Deleted"/> removes the mirror.</summary>
/// <param name="Version">Unix ms of the write (the row's UpdatedAt, or DeletedAt): an older write never overwrites a newer one.</param>
public sealed record PolicyMirrorEntry(
    string OrganizationId,
    LimitLevel Level,
    string Id,
    LimitPolicy Policy,
    bool Deleted,
    long Version)
{
    public string Key => AdmissionKeys.Policy(OrganizationId, Level, Id);
}

/// <summary>
/// Writes the policy mirror (<see cref="AdmissionKeys.Policy"/>): a hash per policy with the fields of
/// <see cref="PolicyMirrorFields"/>, absent = no limit. Each write is a tiny script that keeps the newer of
/// the stored and the new version, so two commits mirrored in the wrong order leave the later one.
/// </summary>
public sealed class PolicyMirrorWriter(IConnectionMultiplexer redis)
{
    private const string UpsertScript = """
        local cur = tonumber(redis.call('HGET', KEYS[1], 'v'))
        if cur and cur > tonumber(ARGV[1]) then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        return 1
        """;

    private const string DeleteScript = """
        local cur = tonumber(redis.call('HGET', KEYS[1], 'v'))
        if cur and cur > tonumber(ARGV[1]) then return 0 end
        return redis.call('DEL', KEYS[1])
        """;

    /// <summary>
    /// Writes every entry, pipelined (all commands sent before any answer is awaited); throws if Redis fails
    /// (callers log, the sweep heals).
    /// </summary>
    /// <remarks>
    /// Not an <c>IBatch</c>: with a script given by its text inside a batch, a later write on the same multiplexer
    /// never completed (found by a test; the cause inside the client was not pinned down). Plain concurrent calls
    /// pipeline on the one connection all the same.
    /// </remarks>
    public async Task WriteAsync(IReadOnlyCollection<PolicyMirrorEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }
        var db = redis.GetDatabase();
        var tasks = new List<Task>(entries.Count);
        foreach (var entry in entries)
        {
            tasks.Add(entry.Deleted
                ? db.ScriptEvaluateAsync(DeleteScript, [entry.Key], [entry.Version])
                : db.ScriptEvaluateAsync(UpsertScript, [entry.Key], Fields(entry)));
        }
        await Task.WhenAll(tasks);
    }

    private static RedisValue[] Fields(PolicyMirrorEntry entry)
    {
        var p = entry.Policy;
        var values = new List<RedisValue>(11) { entry.Version, PolicyMirrorFields.Version, entry.Version };
        void Add(string name, long? value)
        {
            if (value is { } v)
            {
                values.Add(name);
                values.Add(v);
            }
        }
        Add(PolicyMirrorFields.RequestsPerMinute, p.RequestsPerMinute);
        Add(PolicyMirrorFields.TokensPerMinute, p.TokensPerMinute);
        Add(PolicyMirrorFields.TokensPerDay, p.TokensPerDay);
        Add(PolicyMirrorFields.BudgetMicroUsd, p.MonthlyBudgetUsd is { } usd ? MicroUsd.FromUsd(usd) : null);
        return [.. values];
    }
}

public static class PolicyMirrorFields
{
    public const string RequestsPerMinute = "rpm";
    public const string TokensPerMinute = "tpm";
    public const string TokensPerDay = "tpd";
    public const string BudgetMicroUsd = "budget_micro_usd";
    public const string Version = "v";
}

/// <summary>
/// Reads the mirrored policies of the levels of one request: pipelined HGETALLs, one round trip. A level
/// without a mirror has no policy (<see cref="LimitPolicy.None"/>).
/// </summary>
public sealed class RedisPolicyReader(IConnectionMultiplexer redis)
{
    /// <summary>The policy of each level, in the order asked.</summary>
    public async Task<IReadOnlyList<LimitPolicy>> ReadAsync(string organizationId, IReadOnlyList<(LimitLevel Level, string Id)> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count == 0)
        {
            return [];
        }
        var batch = redis.GetDatabase().CreateBatch();
        var reads = levels.Select(l => batch.HashGetAllAsync(AdmissionKeys.Policy(organizationId, l.Level, l.Id))).ToArray();
        batch.Execute();
        await Task.WhenAll(reads);
        return reads.Select(r => Parse(r.Result)).ToArray();
    }

    /// <summary>A mirror hash as a policy; absent fields are no limit.</summary>
    public static LimitPolicy Parse(HashEntry[] entries)
    {
        long? rpm = null, tpm = null, tpd = null, budget = null;
        foreach (var e in entries)
        {
            if (!e.Value.TryParse(out long value))
            {
                continue;
            }
            switch ((string?)e.Name)
            {
                case PolicyMirrorFields.RequestsPerMinute: rpm = value; break;
                case PolicyMirrorFields.TokensPerMinute: tpm = value; break;
                case PolicyMirrorFields.TokensPerDay: tpd = value; break;
                case PolicyMirrorFields.BudgetMicroUsd: budget = value; break;
            }
        }
        return new LimitPolicy(rpm, tpm, tpd, budget is { } micro ? MicroUsd.ToUsd(micro) : null);
    }
}
