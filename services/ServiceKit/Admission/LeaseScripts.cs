namespace Synaxis.ServiceKit.Admission;

/// <summary>
/// The Lua scripts of admission leases: a gateway busy with one set of levels (key, user, groups, organization)
/// charges a block of requests and tokens to every level at once, atomically, and then admits that set's requests
/// from the block in process, without a Redis round trip each; what it has not used when the lease ends goes back.
/// </summary>
/// <remarks>
/// <para>Counters and keys are the admission script's (<see cref="AdmissionScripts"/>): a lease is admission of many
/// requests at once, so limits are never exceeded (a lease's requests were counted when it was granted), and a
/// single gateway's <c>x-ratelimit-remaining-*</c> reads as if every request had been admitted in Redis.</para>
/// <para><b>Only far from every limit.</b> A lease is granted only when, after it, each limit of each level still has
/// <c>keep</c> of itself free (half, by default) and it is at most <c>share</c> of each limit (5 %, by default; a block
/// is cut down to that), and only while the month's spend is below <c>1 − budget_keep</c> of a budget (budgets are
/// charged after the answer, by reconciliation), and only when that share still holds <c>fewest</c> requests (8, by
/// default). Near any limit every request is admitted exactly, one script call each, and a small limit (under
/// fewest / share a minute: 160 requests) is never leased at all.</para>
/// </remarks>
public static class LeaseScripts
{
    /// <summary>
    /// KEYS: level hashes 1..n, then the policy mirrors of the same levels n+1..2n, then the lease's reservation
    /// template <c>rl:{org:O}:lease:&lt;id&gt;</c>.
    /// ARGV: now_ms or '', n, requests wanted, tokens wanted, tokens one request needs at least, share, keep,
    /// budget_keep, the fewest requests a lease is worth, the template's TTL ms.
    /// Answer: {0} when no lease is possible, else {1, now, requests granted, tokens granted, day, month, ms left in
    /// the day, req index, req limit, req remaining, req reset ms, tok index, tok limit, tok remaining, tok reset ms,
    /// template recorded (0|1), then per level the policy used: rpm, tpm, tpd, budget ('' = none)} (the windows after
    /// the lease's charge).
    /// </summary>
    /// <remarks>
    /// The template holds what the admission script records in each request's reservation except the request's own
    /// estimate (its levels, and their tokens/min limits, day and month where a tokens or budget limit makes the
    /// request reconcilable; none is written otherwise). A leased request's reservation id names the template and its
    /// estimate (<see cref="LeasedReservationId"/>), so nothing is written per leased request: the reconciliation
    /// (<see cref="AdmissionScripts.Reconcile"/>) reads the template and records the request's reservation then.
    /// </remarks>
    public const string Lease = AdmissionScripts.Common + """

        local now = clock(ARGV[1])
        local n = tonumber(ARGV[2])
        local R = tonumber(ARGV[3])
        local K = tonumber(ARGV[4])
        local need = tonumber(ARGV[5])
        local share = tonumber(ARGV[6])
        local keep = tonumber(ARGV[7])
        local budget_keep = tonumber(ARGV[8])
        local fewest = tonumber(ARGV[9])
        local template_ttl = tonumber(ARGV[10])
        local day = math.floor(now / DAY)
        local y, m = civil(day)
        local month = y * 12 + m - 1
        local day_end = (day + 1) * DAY

        local pol, st = {}, {}
        for i = 1, n do
          local pv = redis.call('HMGET', KEYS[n + i], 'rpm', 'tpm', 'tpd', 'budget_micro_usd')
          local p = {num(pv[1]), num(pv[2]), num(pv[3]), num(pv[4])}
          pol[i] = p
          st[i] = redis.call('HMGET', KEYS[i], 'rq_d', 'rq_at', 'tk_d', 'tk_at', 'day', 'day_used', 'mon', 'mon_spent')
          if p[1] then R = math.min(R, math.floor(p[1] * share)) end
          if p[2] then K = math.min(K, math.floor(p[2] * share)) end
          if p[3] then K = math.min(K, math.floor(p[3] * share)) end
        end
        if R < fewest or K < need * fewest then return {0} end

        -- charges `amount` to the per-minute limit L (state d, at): the new backlog, or nil when it would pass 1 - keep
        -- of L; keeps the tightest window after the lease in best[kind] and its level in best[kind .. '_i']
        local best = {}
        local function charged(kind, i, d, at, L, amount)
          local nx = backlog(d, at, L, now) + amount * T
          if nx > T * L * (1 - keep) then return nil end
          local w = window(nx, L)
          if tighter(w, best[kind]) then best[kind] = w; best[kind .. '_i'] = i end
          return nx
        end
        local plans = {}
        for i = 1, n do
          local p, h, plan = pol[i], st[i], {}
          if p[1] then
            plan.rq = charged('rq', i, h[1], h[2], p[1], R)
            if not plan.rq then return {0} end
          end
          if p[2] then
            plan.tk = charged('tk', i, h[3], h[4], p[2], K)
            if not plan.tk then return {0} end
          end
          if p[3] then
            local used = 0
            if tonumber(h[5]) == day then used = tonumber(h[6]) or 0 end
            if used + K > p[3] * (1 - keep) then return {0} end
            plan.day_used = used + K
          end
          if p[4] then
            local spent = 0
            if tonumber(h[7]) == month then spent = tonumber(h[8]) or 0 end
            if spent >= p[4] * (1 - budget_keep) then return {0} end
          end
          plans[i] = plan
        end

        local snow = s(now)
        local template, recorded = {'n', n}, 0
        local prefix = org_prefix(KEYS[2 * n + 1], '}:lease:')
        for i = 1, n do
          template[#template + 1] = 'k' .. i; template[#template + 1] = string.sub(KEYS[i], #prefix + 1)
          if pol[i][2] then template[#template + 1] = 'tpm' .. i; template[#template + 1] = s(pol[i][2]); recorded = 1 end
          if pol[i][3] then template[#template + 1] = 'day' .. i; template[#template + 1] = s(day); recorded = 1 end
          if pol[i][4] then template[#template + 1] = 'mon' .. i; template[#template + 1] = s(month); recorded = 1 end
          local plan, f, ttl = plans[i], {}, 0
          if plan.rq then
            f[#f + 1] = 'rq_d'; f[#f + 1] = s(plan.rq); f[#f + 1] = 'rq_at'; f[#f + 1] = snow
            ttl = math.max(ttl, math.ceil(plan.rq / pol[i][1]))
          end
          if plan.tk then
            f[#f + 1] = 'tk_d'; f[#f + 1] = s(plan.tk); f[#f + 1] = 'tk_at'; f[#f + 1] = snow
            ttl = math.max(ttl, math.ceil(plan.tk / pol[i][2]))
          end
          if plan.day_used then
            f[#f + 1] = 'day'; f[#f + 1] = s(day); f[#f + 1] = 'day_used'; f[#f + 1] = s(plan.day_used)
            ttl = math.max(ttl, day_end - now)
          end
          if #f > 0 then redis.call('HSET', KEYS[i], unpack(f)) end
          if ttl > 0 then extend(KEYS[i], ttl + T) end
        end
        if recorded == 1 then
          redis.call('HSET', KEYS[2 * n + 1], unpack(template))
          redis.call('PEXPIRE', KEYS[2 * n + 1], template_ttl)
        end
        local rq, tk = best.rq or {0, 0, 0}, best.tk or {0, 0, 0}
        local reply = {1, now, R, K, day, month, day_end - now, best.rq_i or 0, rq[1], rq[2], rq[3], best.tk_i or 0, tk[1], tk[2], tk[3], recorded}
        for i = 1, n do
          for j = 1, 4 do
            local v = pol[i][j]
            if v then reply[#reply + 1] = s(v) else reply[#reply + 1] = '' end
          end
        end
        return reply
        """;

    /// <summary>
    /// Gives back what a lease did not use. KEYS: the level hashes 1..n, then their policy mirrors n+1..2n.
    /// ARGV: now_ms or '', n, requests unused, tokens unused, the lease's day. Requests and tokens per minute come off
    /// each level's backlog (never below zero), the day's tokens off the day's count if the day is still the lease's.
    /// Answer: 1.
    /// </summary>
    public const string Return = AdmissionScripts.Common + """

        local now = clock(ARGV[1])
        local n = tonumber(ARGV[2])
        local r = tonumber(ARGV[3])
        local k = tonumber(ARGV[4])
        local day = ARGV[5]
        for i = 1, n do
          local pv = redis.call('HMGET', KEYS[n + i], 'rpm', 'tpm', 'tpd')
          local rpm, tpm, tpd = num(pv[1]), num(pv[2]), num(pv[3])
          local h = redis.call('HMGET', KEYS[i], 'rq_d', 'rq_at', 'tk_d', 'tk_at', 'day')
          local f = {}
          if rpm and r > 0 and h[1] then
            local x = backlog(h[1], h[2], rpm, now) - r * T
            if x < 0 then x = 0 end
            f[#f + 1] = 'rq_d'; f[#f + 1] = s(x); f[#f + 1] = 'rq_at'; f[#f + 1] = s(now)
          end
          if tpm and k > 0 and h[3] then
            local x = backlog(h[3], h[4], tpm, now) - k * T
            if x < 0 then x = 0 end
            f[#f + 1] = 'tk_d'; f[#f + 1] = s(x); f[#f + 1] = 'tk_at'; f[#f + 1] = s(now)
          end
          if #f > 0 then redis.call('HSET', KEYS[i], unpack(f)) end
          if tpd and k > 0 and h[5] == day then
            if redis.call('HINCRBY', KEYS[i], 'day_used', -k) < 0 then redis.call('HSET', KEYS[i], 'day_used', 0) end
          end
        end
        return 1
        """;
}
