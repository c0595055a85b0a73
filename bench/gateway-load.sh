#!/usr/bin/env bash
# Requests per second through the gateway on loopback: a cached API key vs no authentication at all, with the
# mock provider as the upstream and a real redis-server. Not a test: numbers depend on the machine (wrk, the
# gateway and the upstream share its cores), so compare the two lines with each other, not with other machines.
#
# Usage: bench/gateway-load.sh [DURATION_SECONDS=10] [CONNECTIONS=32]
# Needs: dotnet, redis-server and redis-cli (apt-get install -y redis-server), wrk (apt-get install -y wrk).
set -euo pipefail

duration=${1:-10}
connections=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t synaxis-load-XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in dotnet redis-server redis-cli wrk curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "$tool not found (wrk: apt-get install -y wrk; redis: apt-get install -y redis-server)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
random_text() { # LENGTH ALPHABET
  python3 -c 'import secrets,sys; print("".join(secrets.choice(sys.argv[2]) for _ in range(int(sys.argv[1]))))' "$1" "$2"
}
random_base62() { # 43 characters, leading '0' so the value is always below 2^256 (canonical)
  printf '0%s' "$(random_text 42 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz)"
}
wait_for() { # URL
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "$1 did not come up" >&2; exit 1
}

echo "Building (Release)…"
dotnet build -c Release -v q "$root/services/Gateway" >/dev/null
dotnet build -c Release -v q "$root/services/MockProvider" >/dev/null

redis_port=$(free_port)
upstream_port=$(free_port)
gateway_port=$(free_port)
password=$(random_text 32 0123456789abcdef)
printf '%s' "$password" >"$work/redis-password"

PORT=$redis_port bash "$root/Synaxis.AppHost/Infrastructure/scripts/redis-local.sh" "$work/redis" "$work/redis-password" >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do redis-cli -p "$redis_port" -a "$password" --no-auth-warning ping >/dev/null 2>&1 && break; sleep 0.1; done

# Each from its output folder: that is the content root, where its appsettings.json is.
(cd "$root/services/MockProvider/bin/Release/net10.0" &&
  ASPNETCORE_URLS="http://127.0.0.1:$upstream_port" Logging__LogLevel__Default=Warning \
  exec dotnet Synaxis.MockProvider.dll) >"$work/upstream.log" 2>&1 &
pids+=($!)

upstream="http://127.0.0.1:$upstream_port/"
(cd "$root/services/Gateway/bin/Release/net10.0" &&
ASPNETCORE_URLS="http://127.0.0.1:$gateway_port" \
ASPNETCORE_ENVIRONMENT=Production \
Logging__LogLevel__Default=Warning \
ConnectionStrings__redis="127.0.0.1:$redis_port,password=$password" \
Jwt__SigningKey="load-test-jwt-$(random_text 48 abcdefghijklmnopqrstuvwxyz0123456789)" \
InternalIdentity__SigningKey="load-test-internal-$(random_text 48 abcdefghijklmnopqrstuvwxyz0123456789)" \
ReverseProxy__Clusters__routing__Destinations__routing__Address="$upstream" \
ReverseProxy__Routes__anonymousbench__ClusterId=routing \
ReverseProxy__Routes__anonymousbench__AuthorizationPolicy=anonymous \
ReverseProxy__Routes__anonymousbench__Match__Path='/bench-anonymous/{**rest}' \
ReverseProxy__Routes__anonymousbench__Transforms__0__PathRemovePrefix=/bench-anonymous \
services__keys__http__0="http://127.0.0.1:9" \
  exec dotnet Synaxis.Gateway.dll) >"$work/gateway.log" 2>&1 &
pids+=($!)

wait_for "${upstream}v1/models"
wait_for "http://127.0.0.1:$gateway_port/alive"

# A key as the Keys service would have verified it, seeded in the shared Redis cache (keys contract), so the
# first request fills the in-process cache from Redis and every measured one is a warm hit. Keys is not running.
key_id=$(random_base62)
key="synaxis_${key_id}_$(random_base62)"
sha=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
uuid() { cat /proc/sys/kernel/random/uuid; }
redis-cli -p "$redis_port" -a "$password" --no-auth-warning SET "synaxis:keys:{$key_id}:verified" \
  "{\"sha256\":\"$sha\",\"key\":{\"keyId\":\"$key_id\",\"apiKeyId\":\"$(uuid)\",\"organizationId\":\"$(uuid)\",\"userId\":\"$(uuid)\",\"groupId\":null,\"role\":\"Member\",\"scopes\":[\"inference\"],\"allowedModels\":null,\"expiresAt\":null}}" \
  EX 600 >/dev/null

status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "http://127.0.0.1:$gateway_port/v1/models")
[ "$status" = 200 ] || { echo "the seeded key answered $status; gateway log:" >&2; cat "$work/gateway.log" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gateway_port/bench-anonymous/v1/models")
[ "$status" = 200 ] || { echo "the anonymous route answered $status" >&2; exit 1; }

run() { # LABEL URL [HEADER]
  local label=$1 url=$2; shift 2
  wrk -t2 -c"$connections" -d2s "$@" "$url" >/dev/null # warm-up (JIT, connection pools)
  local out rps latency
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  latency=$(awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print "p50 " p50 ", p99 " p99}' <<<"$out")
  if grep -q 'Non-2xx' <<<"$out"; then echo "$label: non-2xx answers!" >&2; grep 'Non-2xx' <<<"$out" >&2; fi
  printf '%-40s %10s req/s   %s\n' "$label" "$rps" "$latency"
}

echo "GET /v1/models, ${duration}s, $connections connections, 2 wrk threads, $(nproc) cores shared by everything:"
run "upstream directly (no gateway)" "${upstream}v1/models"
run "gateway, no authentication" "http://127.0.0.1:$gateway_port/bench-anonymous/v1/models"
run "gateway, cached API key (Bearer)" "http://127.0.0.1:$gateway_port/v1/models" -H "Authorization: Bearer $key"
run "gateway, cached API key (x-api-key)" "http://127.0.0.1:$gateway_port/v1/models" -H "x-api-key: $key"
