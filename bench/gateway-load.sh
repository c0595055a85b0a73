#!/usr/bin/env bash
# Requests per second through the gateway on loopback: a cached API key vs no authentication at all, with the
# mock provider as the upstream and a real redis-server; then POST /v1/chat/completions with the cached key,
# once with inference admission off (RateLimit__Enabled=false) and once on (a policy mirror at the key, user and
# organization levels with limits the run cannot reach, so every request is admitted: the first ones by the whole
# admission script, then, the caller being busy, from admission leases; RateLimit__Leases=false in the gateway's
# environment runs the script for every request). Not a test: numbers depend on the machine (wrk, the gateway and the upstream share its cores), so
# compare the lines with each other, not with other machines.
#
# SYNAXIS_BENCH_KEEP=1 keeps the work folder (Redis data, upstream and gateway logs) and prints where it is.
#
# Usage: bench/gateway-load.sh [DURATION_SECONDS=10] [CONNECTIONS=32]
# Needs: dotnet, redis-server and redis-cli (apt-get install -y redis-server), wrk (apt-get install -y wrk).
set -euo pipefail

duration=${1:-10}
connections=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t synaxis-load-XXXXXX)
pids=()
stores=() # redis-server: stopped after everything that uses it
gateway_pid=

. "$root/bench/lib.sh"

cleanup() {
  for pid in "${pids[@]}" $gateway_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in "${stores[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${SYNAXIS_BENCH_KEEP:-}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

for tool in dotnet redis-server redis-cli wrk curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "$tool not found (wrk: apt-get install -y wrk; redis: apt-get install -y redis-server)" >&2; exit 1; }
done


echo "Building (Release)…"
dotnet build -c Release -v q "$root/services/Gateway" >/dev/null
dotnet build -c Release -v q "$root/services/MockProvider" >/dev/null

start_redis
upstream_port=$(free_port)

# Each from its output folder: that is the content root, where its appsettings.json is.
(cd "$root/services/MockProvider/bin/Release/net10.0" &&
  ASPNETCORE_URLS="http://127.0.0.1:$upstream_port" Logging__LogLevel__Default=Warning \
  exec dotnet Synaxis.MockProvider.dll) >"$work/upstream.log" 2>&1 &
pids+=($!)

upstream="http://127.0.0.1:$upstream_port/"
jwt_signing_key="load-test-jwt-$(random_text 48 abcdefghijklmnopqrstuvwxyz0123456789)"
internal_signing_key="load-test-internal-$(random_text 48 abcdefghijklmnopqrstuvwxyz0123456789)"

start_gateway() { # NAME RATELIMIT_ENABLED — sets gateway (its base URL), gateway_pid and gateway_log
  local name=$1 enabled=$2 port
  port=$(free_port)
  gateway="http://127.0.0.1:$port"
  gateway_log="$work/gateway-$name.log"
  (cd "$root/services/Gateway/bin/Release/net10.0" &&
  ASPNETCORE_URLS="$gateway" \
  ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  ConnectionStrings__redis="127.0.0.1:$redis_port,password=$redis_password" \
  Jwt__SigningKey="$jwt_signing_key" \
  InternalIdentity__SigningKey="$internal_signing_key" \
  RateLimit__Enabled="$enabled" \
  ReverseProxy__Clusters__routing__Destinations__routing__Address="$upstream" \
  ReverseProxy__Routes__anonymousbench__ClusterId=routing \
  ReverseProxy__Routes__anonymousbench__AuthorizationPolicy=anonymous \
  ReverseProxy__Routes__anonymousbench__Match__Path='/bench-anonymous/{**rest}' \
  ReverseProxy__Routes__anonymousbench__Transforms__0__PathRemovePrefix=/bench-anonymous \
  services__keys__http__0="http://127.0.0.1:9" \
    exec dotnet Synaxis.Gateway.dll) >"$gateway_log" 2>&1 &
  gateway_pid=$!
  wait_for "$gateway/alive"
}

stop_gateway() {
  kill "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=
}

wait_for "${upstream}v1/models"

# A key as the Keys service would have verified it, seeded in the shared Redis cache (keys contract), so the
# first request fills the in-process cache from Redis and every measured one is a warm hit. Keys is not running.
key_id=$(random_base62)
key="synaxis_${key_id}_$(random_base62)"
sha=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
uuid() { cat /proc/sys/kernel/random/uuid; }
api_key_id=$(uuid) organization_id=$(uuid) user_id=$(uuid)
rcli SET "synaxis:keys:{$key_id}:verified" \
  "{\"sha256\":\"$sha\",\"key\":{\"keyId\":\"$key_id\",\"apiKeyId\":\"$api_key_id\",\"organizationId\":\"$organization_id\",\"userId\":\"$user_id\",\"groupId\":null,\"role\":\"Member\",\"scopes\":[\"inference\"],\"allowedModels\":null,\"expiresAt\":null}}" \
  EX 600 >/dev/null

# The chat completion every POST line sends (bench/chat-completion.lua reads it from the environment).
export SYNAXIS_BENCH_BODY='{"model":"mock-chat","messages":[{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":16}'
chat() { # URL — one chat completion with the cached key: prints the status, headers to $work/chat.headers
  curl -s -o "$work/chat.body" -D "$work/chat.headers" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' --data "$SYNAXIS_BENCH_BODY" "$1"
}
header() { # NAME — its value in $work/chat.headers, empty when absent
  awk -v name="$1" 'tolower($1) == tolower(name ":") {sub(/\r$/, "", $2); print $2}' "$work/chat.headers"
}
fail_chat() { # MESSAGE
  { echo "$1"; echo "--- answer headers:"; cat "$work/chat.headers"; echo "--- answer body:"; cat "$work/chat.body"; echo
    echo "--- gateway log ($gateway_log):"; cat "$gateway_log"; } >&2
  exit 1
}

warm_up() { # URL [WRK OPTIONS…] — load a freshly started gateway before its first measured line. The runtime keeps
  # recompiling the hot path (tiered JIT, dynamic PGO) for several seconds under load: without this the first line
  # measured on a new process came out at half the rate of the same line run again right after it.
  local url=$1; shift
  wrk -t2 -c"$connections" -d15s "$@" "$url" >/dev/null
}

results=()
section() { echo "$1"; results+=("$1"); }
run() { # LABEL URL [WRK OPTIONS…] — one measured wrk run after a 2 s warm-up; adds a line to the summary
  local label=$1 url=$2; shift 2
  wrk -t2 -c"$connections" -d2s "$@" "$url" >/dev/null # warm-up (JIT, connection pools)
  local out rps p50 p99 non2xx socket line
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
  p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")
  socket=$(awk -F': ' '/Socket errors/ {print $2}' <<<"$out")
  line=$(printf '  %-46s %10s req/s   p50 %8s   p99 %8s   non-2xx %s' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}")
  [ -z "$socket" ] || line="$line   socket errors: $socket"
  results+=("$line")
  echo "$line"
  if [ -n "$non2xx" ]; then
    echo "$label: wrk saw $non2xx non-2xx answers of $(awk '/requests in/ {print $1}' <<<"$out"); gateway log ($gateway_log), last 40 lines:" >&2
    tail -n 40 "$gateway_log" >&2
  fi
}

start_gateway limits-off false

status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$gateway/v1/models")
[ "$status" = 200 ] || { echo "the seeded key answered $status; gateway log:" >&2; cat "$gateway_log" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' "$gateway/bench-anonymous/v1/models")
[ "$status" = 200 ] || { echo "the anonymous route answered $status" >&2; exit 1; }
warm_up "$gateway/v1/models" -H "Authorization: Bearer $key"

load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "${duration}s per line, $connections connections, 2 wrk threads, $(nproc) cores shared by everything (1-minute load average now: $load_before):"
section "GET /v1/models:"
run "upstream directly (no gateway)" "${upstream}v1/models"
run "gateway, no authentication" "$gateway/bench-anonymous/v1/models"
run "gateway, cached API key (Bearer)" "$gateway/v1/models" -H "Authorization: Bearer $key"
run "gateway, cached API key (x-api-key)" "$gateway/v1/models" -H "x-api-key: $key"

# (a) Admission off: the middleware forwards at once, so no x-ratelimit-* may come back.
status=$(chat "$gateway/v1/chat/completions")
[ "$status" = 200 ] || fail_chat "limits off: POST /v1/chat/completions answered $status"
[ -z "$(header x-ratelimit-limit-requests)" ] || fail_chat "limits off: the answer carries x-ratelimit-limit-requests; admission is not off"
warm_up "$gateway/v1/chat/completions" -s "$root/bench/chat-completion.lua" -H "Authorization: Bearer $key"
section "POST /v1/chat/completions ($(printf '%s' "$SYNAXIS_BENCH_BODY" | wc -c)-byte body, non-streaming, cached API key):"
run "upstream directly (no gateway)" "${upstream}v1/chat/completions" -s "$root/bench/chat-completion.lua"
run "gateway, limits off (RateLimit__Enabled=false)" "$gateway/v1/chat/completions" -s "$root/bench/chat-completion.lua" -H "Authorization: Bearer $key"
stop_gateway

# (b) Admission on, with a policy mirror (as the RateLimit service writes it) at the key, user and organization
# levels: every limit set, all far beyond what the run can reach, so each request is admitted: by the whole admission
# script (GCRA for requests and tokens, the day and month counters, a reservation) or from a lease charged by one.
rpm=100000000 tpm=10000000000 tpd=1000000000000 budget_micro_usd=1000000000000000
for level in "key:$api_key_id" "user:$user_id" "organization:$organization_id"; do
  rcli HSET "rl:{org:$organization_id}:policy:$level" rpm $rpm tpm $tpm tpd $tpd budget_micro_usd $budget_micro_usd \
    v "$(date +%s%3N)" >/dev/null
done
start_gateway limits-on true
status=$(chat "$gateway/v1/chat/completions")
[ "$status" = 200 ] || fail_chat "limits on: POST /v1/chat/completions answered $status"
limit=$(header x-ratelimit-limit-requests)
[ -n "$limit" ] || fail_chat "limits on: the answer carries no x-ratelimit-limit-requests"
[ "$limit" = $rpm ] || fail_chat "limits on: x-ratelimit-limit-requests is $limit, not the mirrored $rpm"
[ -z "$(header x-synaxis-ratelimit-mode)" ] || fail_chat "limits on: admitted by the local fallback, not by Redis"
[ "$(rcli HEXISTS "rl:{org:$organization_id}:organization:$organization_id" rq_d)" = 1 ] ||
  fail_chat "limits on: the organization's request counter was not written"
warm_up "$gateway/v1/chat/completions" -s "$root/bench/chat-completion.lua" -H "Authorization: Bearer $key"
rcli CONFIG RESETSTAT >/dev/null # the per-call cost printed below: the measured line (and its 2 s warm-up) only
run "gateway, limits on (key, user, organization)" "$gateway/v1/chat/completions" -s "$root/bench/chat-completion.lua" -H "Authorization: Bearer $key"
fallbacks=$(grep -c 'Redis did not answer an admission' "$gateway_log" || true)
[ "$fallbacks" = 0 ] || echo "limits on: Redis failed to answer an admission within RateLimit:RedisTimeout $fallbacks time(s); requests were admitted by the local fallback meanwhile (see $gateway_log)" >&2
echo "limits on: the admission script in Redis: $(rcli INFO commandstats | awk -F'[:,]' '/^cmdstat_evalsha:/ {sub(/\r$/, ""); print $2 ", " $4}')"
reservation=$(rcli --scan --pattern "rl:{org:$organization_id}:res:*" | awk 'NR == 1') # not head: SIGPIPE under pipefail
echo "limits on: $(rcli DBSIZE) keys in Redis after the run ($(rcli --scan --pattern "rl:{org:$organization_id}:res:*" | wc -l) reservations, one takes $(rcli MEMORY USAGE "$reservation") bytes for $(( $(rcli PTTL "$reservation") / 60000 )) more minutes), used_memory $(rcli INFO memory | awk -F: '/^used_memory_human:/ {sub(/\r$/, ""); print $2}')"

echo
echo "Summary (${duration}s per line, $connections connections, $(nproc) cores; 1-minute load average $load_before before, $(cut -d' ' -f1 /proc/loadavg) after):"
printf '%s\n' "${results[@]}"
