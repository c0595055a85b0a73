namespace Synaxis.ServiceKit.Admission;

/// <summary>
/// The two Lua scripts of admission. They live here as C# raw strings (rather than embedded .lua files)
/// so the folder needs no project-file change; <see cref="RedisAdmissionController"/> loads each once
/// (SCRIPT LOAD on every server) and runs it with EVALSHA.
/// </summary>
/// <remarks>
/// <para><b>Key layout (Redis Cluster).</b> Every key of one organization carries the hash tag
/// <c>{org:&lt;id&gt;}</c>, so one script call touches a single slot. One hash per level
/// (<c>rl:{org:O}:&lt;level&gt;:&lt;id&gt;</c>) holds all of that level's counters; a reservation is the hash
/// <c>rl:{org:O}:res:&lt;reservationId&gt;</c>. All keys arrive through KEYS[].</para>
/// <para><b>Requests/min and tokens/min: GCRA.</b> A limit of L per T = 60 s has emission interval T/L.
/// The state is the theoretical arrival time TAT; a cost of n is admitted when
/// max(TAT, now) + n·T/L − now ≤ T, and then TAT becomes that value. Unlike a fixed window there is no
/// 2× burst at a window edge (after a burst of L the next unit is available T/L later, not at the next
/// minute), and unlike a sliding log it needs one number per limit. To stay exact with integers the
/// TAT is stored as a rational: fields <c>*_at</c> (ms) and <c>*_d</c> with TAT = at + d/L, i.e. d is
/// (TAT − at)·L in "ms·units" (requests: L·T at most, so doubles stay exact below 2^53).</para>
/// <para><b>Tokens/day and the monthly budget</b> are fixed UTC-calendar counters (day number since the
/// epoch; year·12+month), reset when the period changes: quotas that users read as "per day" and
/// "per month". Money is integer micro-USD.</para>
/// <para><b>All or nothing.</b> The script evaluates every level first (reading only); if any refuses it
/// writes nothing and answers the refusal with the longest retry-after; else it writes every level and
/// records the reservation (what each level was charged, and for which day/month).</para>
/// </remarks>
public static class AdmissionScripts
{
    internal const string Common = """
        local T = 60000
        local DAY = 86400000
        local function s(x) return string.format('%.0f', x) end
        local function num(v)
          if v == nil or v == false or v == '' then return nil end
          return tonumber(v)
        end
        local function clock(arg)
          local now = num(arg)
          if now then return now end
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        -- Howard Hinnant's civil_from_days / days_from_civil (proleptic Gregorian, UTC).
        local function civil(days)
          local z = days + 719468
          local era = math.floor(z / 146097)
          local doe = z - era * 146097
          local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
          local y = yoe + era * 400
          local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
          local mp = math.floor((5 * doy + 2) / 153)
          local m
          if mp < 10 then m = mp + 3 else m = mp - 9 end
          if m <= 2 then y = y + 1 end
          return y, m
        end
        local function first_of_month(y, m)
          if m <= 2 then y = y - 1 end
          local era = math.floor(y / 400)
          local yoe = y - era * 400
          local mp
          if m > 2 then mp = m - 3 else mp = m + 9 end
          local doy = math.floor((153 * mp + 2) / 5)
          local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
          return era * 146097 + doe - 719468
        end
        -- GCRA: (TAT - now) * L, never below zero. TAT = at + d / L.
        local function backlog(d, at, L, now)
          local x = (tonumber(d) or 0) - (now - (tonumber(at) or now)) * L
          if x < 0 then return 0 end
          return x
        end
        -- 'rl:{org:O}:' from a reservation key 'rl:{org:O}:res:ID' (or a lease template's, 'rl:{org:O}:lease:ID'): level keys are stored without it, so a
        -- reservation's fields stay short enough for Redis's compact hash encoding.
        local function org_prefix(key, marker)
          local at = string.find(key, marker or '}:res:', 1, true)
          return string.sub(key, 1, at + 1)
        end
        local function extend(key, ttl)
          local cur = redis.call('PTTL', key)
          if cur < ttl then redis.call('PEXPIRE', key, ttl) end
        end
        -- window = {limit, remaining, reset ms}; keep the tightest (least remaining, then smallest limit)
        local function tighter(a, b)
          if b == nil then return true end
          if a[2] ~= b[2] then return a[2] < b[2] end
          return a[1] < b[1]
        end
        local function window(x, L)
          local rem = math.floor((T * L - x) / T)
          if rem < 0 then rem = 0 end
          return {L, rem, math.ceil(x / L)}
        end
        """;

    /// <summary>
    /// KEYS: level hashes 1..n, then the policy mirrors of the same levels n+1..2n, then the reservation key.
    /// ARGV: now_ms or '', estimated tokens, estimated cost (micro-USD), reservation TTL ms, n,
    /// then per level: name, source ('m' = read the level's policy from its mirror hash, 'p' = the four values
    /// that follow), requests/min, tokens/min, tokens/day, budget micro-USD ('' = no limit).
    /// Answer: {admitted, refused index, refused kind, retry-after ms (-1 = never), now,
    ///          req index, req limit, req remaining, req reset ms, tok index, tok limit, tok remaining, tok reset ms,
    ///          reservation recorded (0|1), then per level the policy used: rpm, tpm, tpd, budget ('' = none)}
    /// (for a refusal the windows describe the state left unchanged). Reading the mirrors here keeps admission at
    /// one round trip; the policies come back so a gateway can keep the last known ones for when Redis is down.
    /// A reservation is recorded only when some level has a tokens or budget limit (there is nothing to reconcile
    /// otherwise), so unlimited traffic writes nothing but its request counters.
    /// </summary>
    public const string Admission = Common + """

        local now = clock(ARGV[1])
        local tokens = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local res_ttl = tonumber(ARGV[4])
        local n = tonumber(ARGV[5])
        local reskey = KEYS[2 * n + 1]
        if redis.call('EXISTS', reskey) == 1 then
          return redis.error_reply('ERR reservation already exists')
        end
        local day = math.floor(now / DAY)
        local y, m = civil(day)
        local month = y * 12 + m - 1
        local day_end = (day + 1) * DAY
        local ny, nm = y, m + 1
        if nm == 13 then ny = y + 1; nm = 1 end
        local month_end = first_of_month(ny, nm) * DAY

        local plans = {}
        local ref_idx, ref_kind, ref_retry = 0, '', 0
        local function refuse(i, kind, retry)
          local worse
          if ref_idx == 0 then worse = true
          elseif ref_retry == -1 then worse = false
          elseif retry == -1 then worse = true
          else worse = retry > ref_retry end
          if worse then ref_idx = i; ref_kind = kind; ref_retry = retry end
        end

        local pol = {}
        for i = 1, n do
          local b = 5 + (i - 1) * 6
          local rpm, tpm, tpd, bud
          if ARGV[b + 2] == 'm' then
            local pv = redis.call('HMGET', KEYS[n + i], 'rpm', 'tpm', 'tpd', 'budget_micro_usd')
            rpm, tpm, tpd, bud = num(pv[1]), num(pv[2]), num(pv[3]), num(pv[4])
          else
            rpm, tpm, tpd, bud = num(ARGV[b + 3]), num(ARGV[b + 4]), num(ARGV[b + 5]), num(ARGV[b + 6])
          end
          pol[i] = {rpm, tpm, tpd, bud}
          local h = redis.call('HMGET', KEYS[i], 'rq_d', 'rq_at', 'tk_d', 'tk_at', 'day', 'day_used', 'mon', 'mon_spent')
          local p = {}
          if rpm then
            local x = backlog(h[1], h[2], rpm, now)
            local nx = x + T
            if nx > T * rpm then
              if rpm < 1 then refuse(i, 'requests', -1) else refuse(i, 'requests', math.ceil((nx - T * rpm) / rpm)) end
            end
            p.rq = nx; p.rq_before = window(x, rpm); p.rq_after = window(nx, rpm)
          end
          if tpm then
            local x = backlog(h[3], h[4], tpm, now)
            local nx = x + tokens * T
            if nx > T * tpm then
              if tokens > tpm then refuse(i, 'tokens', -1) else refuse(i, 'tokens', math.ceil((nx - T * tpm) / tpm)) end
            end
            p.tk = nx; p.tk_before = window(x, tpm); p.tk_after = window(nx, tpm)
          end
          if tpd then
            local used = 0
            if tonumber(h[5]) == day then used = tonumber(h[6]) or 0 end
            if used + tokens > tpd then
              if tokens > tpd then refuse(i, 'tokens_day', -1) else refuse(i, 'tokens_day', day_end - now) end
            end
            p.day_used = used + tokens
          end
          if bud then
            local spent = 0
            if tonumber(h[7]) == month then spent = tonumber(h[8]) or 0 end
            if spent >= bud or spent + cost > bud then refuse(i, 'budget', month_end - now) end
            p.mon_spent = spent + cost
          end
          plans[i] = p
        end

        local rq, rq_i, tk, tk_i = nil, 0, nil, 0
        local phase = 'rq_after'
        local tphase = 'tk_after'
        if ref_idx > 0 then phase = 'rq_before'; tphase = 'tk_before' end
        for i = 1, n do
          local w = plans[i][phase]
          if w and tighter(w, rq) then rq = w; rq_i = i end
          w = plans[i][tphase]
          if w and tighter(w, tk) then tk = w; tk_i = i end
        end
        rq = rq or {0, 0, 0}
        tk = tk or {0, 0, 0}

        local function answer(reply)
          for i = 1, n do
            for j = 1, 4 do
              local v = pol[i][j]
              if v then table.insert(reply, s(v)) else table.insert(reply, '') end
            end
          end
          return reply
        end

        if ref_idx > 0 then
          return answer({0, ref_idx, ref_kind, ref_retry, now, rq_i, rq[1], rq[2], rq[3], tk_i, tk[1], tk[2], tk[3], 0})
        end

        local res = {'n', n, 'tokens', s(tokens), 'cost', s(cost), 'state', 'reserved', 'at', s(now)}
        local prefix = org_prefix(reskey)
        local reconcilable = false
        local snow = s(now)
        for i = 1, n do
          local key = KEYS[i]
          local p = plans[i]
          local ttl = 0
          local f = {}
          table.insert(res, 'k' .. i); table.insert(res, string.sub(key, #prefix + 1))
          if p.rq then
            f[#f + 1] = 'rq_d'; f[#f + 1] = s(p.rq); f[#f + 1] = 'rq_at'; f[#f + 1] = snow
            ttl = math.max(ttl, p.rq_after[3])
          end
          if p.tk then
            f[#f + 1] = 'tk_d'; f[#f + 1] = s(p.tk); f[#f + 1] = 'tk_at'; f[#f + 1] = snow
            ttl = math.max(ttl, p.tk_after[3])
            table.insert(res, 'tpm' .. i); table.insert(res, s(pol[i][2]))
            reconcilable = true
          end
          if p.day_used then
            f[#f + 1] = 'day'; f[#f + 1] = s(day); f[#f + 1] = 'day_used'; f[#f + 1] = s(p.day_used)
            ttl = math.max(ttl, day_end - now)
            table.insert(res, 'day' .. i); table.insert(res, s(day))
            reconcilable = true
          end
          if p.mon_spent then
            f[#f + 1] = 'mon'; f[#f + 1] = s(month); f[#f + 1] = 'mon_spent'; f[#f + 1] = s(p.mon_spent)
            ttl = math.max(ttl, month_end - now)
            table.insert(res, 'mon' .. i); table.insert(res, s(month))
            reconcilable = true
          end
          -- one HSET per level with every counter it changes
          if #f > 0 then redis.call('HSET', key, unpack(f)) end
          if ttl > 0 then extend(key, ttl + T) end
        end
        local recorded = 0
        if reconcilable then
          redis.call('HSET', reskey, unpack(res))
          redis.call('PEXPIRE', reskey, res_ttl)
          recorded = 1
        end
        return answer({1, 0, '', 0, now, rq_i, rq[1], rq[2], rq[3], tk_i, tk[1], tk[2], tk[3], recorded})
        """;

    /// <summary>
    /// KEYS: the reservation key, then the level hashes in admission order, then — for a request admitted from a lease
    /// (<see cref="LeaseScripts"/>), which has no reservation hash of its own until it is reconciled — the lease's
    /// reservation template.
    /// ARGV: now_ms or '', actual tokens, actual cost (micro-USD), how long (ms) a reconciled reservation is kept, and
    /// for a leased request the tokens it reserved.
    /// Answer: {1, 'reconciled', token delta, cost delta} | {0, 'already'} | {0, 'missing'}.
    /// </summary>
    public const string Reconcile = Common + """

        local now = clock(ARGV[1])
        local tokens = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local leased = ARGV[5] ~= nil
        local raw = redis.call('HGETALL', KEYS[1])
        if #raw == 0 and leased then
          -- the lease's template: the levels and what to correct; this request's own reservation is its estimate
          raw = redis.call('HGETALL', KEYS[#KEYS])
          if #raw > 0 then
            for _, v in ipairs({'tokens', ARGV[5], 'cost', '0', 'state', 'reserved'}) do raw[#raw + 1] = v end
          end
        end
        if #raw == 0 then return {0, 'missing', 0, 0} end
        local f = {}
        for j = 1, #raw, 2 do f[raw[j]] = raw[j + 1] end
        if f.state == 'reconciled' then return {0, 'already', 0, 0} end
        local n = tonumber(f.n)
        local expected = n + 1
        if leased then expected = n + 2 end
        if #KEYS ~= expected then return redis.error_reply('ERR reservation has ' .. n .. ' levels') end
        local prefix = org_prefix(KEYS[1])
        for i = 1, n do
          if prefix .. f['k' .. i] ~= KEYS[i + 1] then return redis.error_reply('ERR level key mismatch at ' .. i) end
        end
        local dt = tokens - tonumber(f.tokens)
        local dc = cost - tonumber(f.cost)
        for i = 1, n do
          local key = KEYS[i + 1]
          local L = num(f['tpm' .. i])
          if L and dt ~= 0 then
            local h = redis.call('HMGET', key, 'tk_d', 'tk_at')
            local x = backlog(h[1], h[2], L, now) + dt * T
            if x < 0 then x = 0 end
            redis.call('HSET', key, 'tk_d', s(x), 'tk_at', s(now))
            extend(key, math.ceil(x / L) + T)
          end
          local d = f['day' .. i]
          if d and dt ~= 0 and redis.call('HGET', key, 'day') == d then
            if redis.call('HINCRBY', key, 'day_used', dt) < 0 then redis.call('HSET', key, 'day_used', 0) end
          end
          local mo = f['mon' .. i]
          if mo and dc ~= 0 and redis.call('HGET', key, 'mon') == mo then
            if redis.call('HINCRBY', key, 'mon_spent', dc) < 0 then redis.call('HSET', key, 'mon_spent', 0) end
          end
        end
        redis.call('HSET', KEYS[1], 'state', 'reconciled', 'actual_tokens', s(tokens), 'actual_cost', s(cost))
        -- Kept a little longer only to answer a redelivered report 'already'; then it goes (a leased request's
        -- reservation is created just now, without a TTL).
        local left = redis.call('PTTL', KEYS[1])
        if left < 0 or left > tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4])) end
        return {1, 'reconciled', dt, dc}
        """;
}
