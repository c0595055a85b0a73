#!/usr/bin/env bash
# The latency the whole Synaxis inference path adds (gateway: API key, admission in Redis, signed identity; Routing:
# catalog, ranking, the upstream call, the answer's rewrite and its UsageRecorded event) over calling the mock
# provider directly, at fixed offered rates (open loop, bench/Synaxis.LoadGen: every request sent on a fixed timeline
# and timed from its scheduled send, so a slow answer cannot hide the requests it would have held back) and at
# saturation (closed loop, 64 connections). Beside it, in the same run, a bare chain: a YARP proxy with nothing in its
# pipeline in front of a minimal Kestrel app that forwards with a pooled HttpClient (Synaxis.LoadGen --bare-proxy,
# --bare-forwarder), i.e. what two .NET hops cost before Synaxis does any work of its own.
#
# Starts, on loopback, in its own temp folder, from Release builds of this checkout: redis-server and PostgreSQL (the
# AppHost's local scripts), the mock provider, Routing (seeding the mock as the global mock-free and mock-paid
# providers), the gateway (admission on, a generous policy mirrored at the key, user and organization, so every
# request is admitted: in Redis by the admission script, or from a lease it charged there once the caller is busy),
# and the bare pair. A verified API key is seeded in Redis
# as the Keys service would have cached it (Keys is not running). Everything shares the machine's cores with the load
# generator: compare the lines with each other, not with other machines.
#
# SYNAXIS_BENCH_KEEP=1 keeps the work folder (logs, data) and prints where it is.
# SYNAXIS_BENCH_RATES="200 1000" the fixed rates (requests/s).
# SYNAXIS_BENCH_SERVICE_ENV="NAME=value …" extra environment for the gateway and Routing only (experiments, e.g.
#   "DOTNET_gcServer=0" or "DOTNET_TieredPGO=0").
#
# Usage: bench/inference-latency.sh [DURATION_SECONDS=20] [SATURATION_CONNECTIONS=64] [WARMUP_SECONDS=5]
# Needs: dotnet, python3, curl, redis-server and redis-cli (apt-get install -y redis-server), PostgreSQL server
# binaries and psql (apt-get install -y postgresql). As root, PostgreSQL runs as the postgres user.
set -euo pipefail

duration=${1:-20}
connections=${2:-64}
warmup=${3:-5}
read -r -a rates <<<"${SYNAXIS_BENCH_RATES:-200 1000}"
read -r -a service_env <<<"${SYNAXIS_BENCH_SERVICE_ENV:-}"
root=$(cd "$(dirname "$0")/.." && pwd)
load_at_start=$(cut -d' ' -f1 /proc/loadavg) # before this script adds its own load
work=$(mktemp -d -t synaxis-latency-XXXXXX)
# mktemp makes it 0700; as root, PostgreSQL runs as the postgres user, who must enter it to reach its data folder.
chmod 755 "$work"
pids=()       # the mock, Routing, the gateway and the bare pair
stores=()     # redis-server and PostgreSQL: stopped after everything that uses them
postgres_pid=

. "$root/bench/lib.sh"

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${stores[@]}"; do kill "$pid" 2>/dev/null || true; done
  # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
  [ -z "$postgres_pid" ] || kill -INT "$postgres_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "${SYNAXIS_BENCH_KEEP:-}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

for tool in dotnet python3 redis-server redis-cli psql curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "$tool not found (redis: apt-get install -y redis-server; psql and PostgreSQL: apt-get install -y postgresql)" >&2; exit 1; }
done

# Each into its own folder of the work folder: a snapshot of this checkout that other builds cannot change mid-run,
# and its content root (where its appsettings.json is).
echo "Building (Release)…"
build() { # PROJECT_DIR NAME
  dotnet build -c Release -v q -nologo -o "$work/bin/$2" "$root/$1" >"$work/build-$2.log" 2>&1 ||
    { echo "building $1 failed:" >&2; cat "$work/build-$2.log" >&2; exit 1; }
}
build services/MockProvider mock
build services/Routing routing
build services/Gateway gateway
build bench/Synaxis.LoadGen loadgen
loadgen_dll="$work/bin/loadgen/Synaxis.LoadGen.dll"
loadgen() { dotnet "$loadgen_dll" "$@"; }

start_redis
start_postgres
upstream_port=$(free_port)
routing_port=$(free_port)
gateway_port=$(free_port)
forwarder_port=$(free_port)
proxy_port=$(free_port)

upstream="http://127.0.0.1:$upstream_port"
routing="http://127.0.0.1:$routing_port"
gateway="http://127.0.0.1:$gateway_port"
forwarder="http://127.0.0.1:$forwarder_port"
proxy="http://127.0.0.1:$proxy_port"
jwt_signing_key="latency-jwt-$(random_text 48 abcdefghijklmnopqrstuvwxyz0123456789)"
internal_signing_key="latency-internal-$(random_text 48 abcdefghijklmnopqrstuvwxyz0123456789)"

(cd "$work/bin/mock" &&
  ASPNETCORE_URLS="$upstream" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  exec dotnet Synaxis.MockProvider.dll) >"$work/upstream.log" 2>&1 &
pids+=($!)
wait_for "$upstream/v1/models" "$work/upstream.log"

(cd "$work/bin/routing" &&
  exec env ASPNETCORE_URLS="$routing" \
  ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  ConnectionStrings__synaxis="Host=127.0.0.1;Port=$postgres_port;Database=synaxis;Username=postgres;Password=$postgres_password" \
  ConnectionStrings__redis="127.0.0.1:$redis_port,password=$redis_password" \
  InternalIdentity__SigningKey="$internal_signing_key" \
  Routing__SeedMockProviders=true \
  Routing__MockProviderUrl="$upstream/v1/" \
  "${service_env[@]}" \
  dotnet Synaxis.Routing.dll) >"$work/routing.log" 2>&1 &
pids+=($!)

# A key as the Keys service would have verified it, seeded in the shared Redis cache (keys contract), and the
# RateLimit service's policy mirror at the key, user and organization levels: every limit set, all far beyond what
# the run can reach, so each request is admitted, by the admission script or from a lease (as gateway-load.sh, limits on).
key_id=$(random_base62)
key="synaxis_${key_id}_$(random_base62)"
sha=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
uuid() { cat /proc/sys/kernel/random/uuid; }
api_key_id=$(uuid) organization_id=$(uuid) user_id=$(uuid)
rcli SET "synaxis:keys:{$key_id}:verified" \
  "{\"sha256\":\"$sha\",\"key\":{\"keyId\":\"$key_id\",\"apiKeyId\":\"$api_key_id\",\"organizationId\":\"$organization_id\",\"userId\":\"$user_id\",\"groupId\":null,\"role\":\"Member\",\"scopes\":[\"inference\"],\"allowedModels\":null,\"expiresAt\":null}}" \
  EX 3600 >/dev/null
rpm=100000000 tpm=10000000000 tpd=1000000000000 budget_micro_usd=1000000000000000
for level in "key:$api_key_id" "user:$user_id" "organization:$organization_id"; do
  rcli HSET "rl:{org:$organization_id}:policy:$level" rpm $rpm tpm $tpm tpd $tpd budget_micro_usd $budget_micro_usd \
    v "$(date +%s%3N)" >/dev/null
done

(cd "$work/bin/gateway" &&
  exec env ASPNETCORE_URLS="$gateway" \
  ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  ConnectionStrings__redis="127.0.0.1:$redis_port,password=$redis_password" \
  Jwt__SigningKey="$jwt_signing_key" \
  InternalIdentity__SigningKey="$internal_signing_key" \
  RateLimit__Enabled=true \
  ReverseProxy__Clusters__routing__Destinations__routing__Address="$routing/" \
  services__keys__http__0="http://127.0.0.1:9" \
  "${service_env[@]}" \
  dotnet Synaxis.Gateway.dll) >"$work/gateway.log" 2>&1 &
pids+=($!)

# The bare pair, with the GC the services get from the Web SDK (server GC), so only the work differs.
(DOTNET_gcServer=1 exec dotnet "$loadgen_dll" --bare-forwarder --listen "$forwarder" --upstream "$upstream/") >"$work/forwarder.log" 2>&1 &
pids+=($!)
(DOTNET_gcServer=1 exec dotnet "$loadgen_dll" --bare-proxy --listen "$proxy" --upstream "$forwarder/") >"$work/proxy.log" 2>&1 &
pids+=($!)

wait_for "$routing/alive" "$work/routing.log"
wait_for "$gateway/alive" "$work/gateway.log"
wait_for "$proxy/alive" "$work/proxy.log"

# The chat completion every line sends.
body='{"model":"mock-chat","messages":[{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":16}'
printf '%s' "$body" >"$work/body.json"
chat() { # URL — one chat completion with the key: prints the status; headers in $work/chat.headers
  curl -s -o "$work/chat.body" -D "$work/chat.headers" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' --data-binary @"$work/body.json" "$1"
}
header() { # NAME — its value in $work/chat.headers, empty when absent
  awk -v name="$1" 'tolower($1) == tolower(name ":") {sub(/\r$/, "", $2); print $2}' "$work/chat.headers"
}
fail_chat() { # MESSAGE
  { echo "$1"; echo "--- answer headers:"; cat "$work/chat.headers"; echo "--- answer body:"; cat "$work/chat.body"; echo
    echo "--- gateway log:"; tail -n 40 "$work/gateway.log"; echo "--- routing log:"; tail -n 40 "$work/routing.log"; } >&2
  exit 1
}

# Before anything is measured: each target answers a chat completion, and the full path is the one meant (the
# answer came from the seeded free mock through Routing, and the gateway's admission ran in Redis).
status=$(chat "$upstream/v1/chat/completions")
[ "$status" = 200 ] || fail_chat "the mock answered $status"
status=$(chat "$proxy/v1/chat/completions")
[ "$status" = 200 ] || fail_chat "the bare chain answered $status"
grep -q '"chat.completion"' "$work/chat.body" || fail_chat "the bare chain's answer is not a chat completion"
status=$(chat "$gateway/v1/chat/completions")
[ "$status" = 200 ] || fail_chat "Synaxis (gateway → Routing → mock) answered $status"
[ "$(header x-synaxis-provider)" = mock-free ] || fail_chat "Synaxis: x-synaxis-provider is '$(header x-synaxis-provider)', not mock-free"
limit=$(header x-ratelimit-limit-requests)
[ -n "$limit" ] || fail_chat "Synaxis: the answer carries no x-ratelimit-limit-requests (admission did not run)"
[ "$limit" = $rpm ] || fail_chat "Synaxis: x-ratelimit-limit-requests is $limit, not the mirrored $rpm"
[ -z "$(header x-synaxis-ratelimit-mode)" ] || fail_chat "Synaxis: admitted by the local fallback, not by Redis"
echo "Verified: the full path answers 200 from mock-free with x-ratelimit-limit-requests: $limit."

targets=(a b c)
declare -A url=([a]="$upstream/v1/chat/completions" [b]="$proxy/v1/chat/completions" [c]="$gateway/v1/chat/completions")
declare -A name=([a]="(a) mock directly" [b]="(b) bare chain (YARP -> forwarder -> mock)" [c]="(c) Synaxis (gateway -> Routing -> mock)")
declare -A result=()
failures=()
common=(--body-file "$work/body.json" --header "Authorization: Bearer $key" --connections "$connections")

measure() { # TARGET KEY LOADGEN_OPTIONS… — one measured run; its "result" line kept under KEY
  local target=$1 key=$2 out; shift 2
  out=$(loadgen --url "${url[$target]}" --label "${name[$target]}" "${common[@]}" "$@") || failures+=("$key (${name[$target]})")
  sed 's/^/  /' <<<"$out" | grep -v '^  result '
  result[$key]=$(grep '^result ' <<<"$out")
}
field() { # KEY FIELD — a value from a kept result line
  tr ' ' '\n' <<<"${result[$1]}" | awk -F= -v f="$2" '$1 == f {print $2}'
}

# A freshly started .NET process runs at about half speed until tiered JIT and dynamic PGO have recompiled its hot
# path: 10 s of saturation for each target first (not measured; each measured run also has its own warm-up).
echo "Warming up every target (10 s of saturation each, not measured)…"
for t in "${targets[@]}"; do
  loadgen --url "${url[$t]}" "${common[@]}" --saturate --warmup 0 --duration 10 >/dev/null || true
done

load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "Measuring: ${duration} s per run after ${warmup} s of warm-up, $(nproc) cores shared by everything (1-minute load average $load_at_start when the script started, $load_before now)"
for rate in "${rates[@]}"; do
  for t in "${targets[@]}"; do
    measure "$t" "$t-$rate" --rate "$rate" --duration "$duration" --warmup "$warmup"
    sleep 1
  done
done
for t in "${targets[@]}"; do
  measure "$t" "$t-sat" --saturate --duration "$duration" --warmup "$warmup"
  sleep 1
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

fallbacks=$(grep -c 'Redis did not answer an admission' "$work/gateway.log" || true)
[ "$fallbacks" = 0 ] || echo "Synaxis: Redis failed to answer an admission within RateLimit:RedisTimeout $fallbacks time(s); the local fallback admitted meanwhile (see the gateway log)" >&2

sub() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%+.3f", x - y}'; }
echo
echo "POST /v1/chat/completions (${#body}-byte body, model mock-chat, non-streaming). Open loop at fixed rates: latency in ms"
echo "from each request's scheduled send; saturation: closed loop, $connections connections. ${duration} s per run after ${warmup} s of warm-up;"
echo "$(nproc) cores shared by the load generator, the mock and the system; 1-minute load average $load_at_start at the start"
echo "(before anything ran), $load_before after the warm-up, $load_after at the end${SYNAXIS_BENCH_SERVICE_ENV:+; gateway and Routing with $SYNAXIS_BENCH_SERVICE_ENV}."
line=$(printf '%-44s' "")
for rate in "${rates[@]}"; do line+=$(printf ' | %-19s' "$rate req/s"); done
line+=$(printf ' | %-28s' "saturation ($connections conn.)")
echo "$line"
line=$(printf '%-44s' "")
for rate in "${rates[@]}"; do line+=$(printf ' | %9s %9s' p50 p99); done
line+=$(printf ' | %8s %9s %9s' 'req/s' p50 p99)
echo "$line"
for t in "${targets[@]}"; do
  line=$(printf '%-44s' "${name[$t]}")
  for rate in "${rates[@]}"; do line+=$(printf ' | %9s %9s' "$(field "$t-$rate" p50)" "$(field "$t-$rate" p99)"); done
  line+=$(printf ' | %8s %9s %9s' "$(field "$t-sat" rate)" "$(field "$t-sat" p50)" "$(field "$t-sat" p99)")
  echo "$line"
done
for t in b c; do
  line=$(printf '%-44s' "added by $([ $t = b ] && echo 'the bare chain (b - a)' || echo 'Synaxis (c - a)')")
  for rate in "${rates[@]}"; do
    line+=$(printf ' | %9s %9s' "$(sub "$(field "$t-$rate" p50)" "$(field "a-$rate" p50)")" "$(sub "$(field "$t-$rate" p99)" "$(field "a-$rate" p99)")")
  done
  line+=$(printf ' | %8s %9s %9s' "" "$(sub "$(field "$t-sat" p50)" "$(field "a-sat" p50)")" "$(sub "$(field "$t-sat" p99)" "$(field "a-sat" p99)")")
  echo "$line"
done
line="errors (non-2xx or exceptions):"
for t in "${targets[@]}"; do
  for run in "${rates[@]}" sat; do line+=" $t-$run $(field "$t-$run" errors),"; done
done
echo "${line%,}"
line="the load generator's own lateness, p99 of send time - scheduled time (ms):"
for t in "${targets[@]}"; do
  for rate in "${rates[@]}"; do line+=" $t-$rate $(field "$t-$rate" send_lag_p99),"; done
done
echo "${line%,}"

echo
echo "Targets for Synaxis (c - a): at most 1 ms added at p50 and 5 ms at p99 at each fixed rate; at least 3000 req/s at saturation."
verdict() { awk -v x="$1" -v limit="$2" -v op="$3" 'BEGIN {ok = op == "le" ? x <= limit : x >= limit; print ok ? "met" : "NOT met"}'; }
for rate in "${rates[@]}"; do
  added50=$(sub "$(field "c-$rate" p50)" "$(field "a-$rate" p50)")
  added99=$(sub "$(field "c-$rate" p99)" "$(field "a-$rate" p99)")
  echo "  $rate req/s: p50 added $added50 ms ($(verdict "$added50" 1 le)), p99 added $added99 ms ($(verdict "$added99" 5 le))"
done
echo "  saturation: $(field c-sat rate) req/s ($(verdict "$(field c-sat rate)" 3000 ge))"
if [ ${#failures[@]} -gt 0 ]; then
  echo "Runs with failed requests (their first failure is printed above): ${failures[*]}" >&2
  exit 1
fi
