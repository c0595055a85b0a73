#!/usr/bin/env bash
# Audit's ingestion throughput and query times (bench/Synaxis.AuditBench; see bench/README.md).
#
# Starts, on loopback, in its own temp folder, from Release builds of this checkout: redis-server and PostgreSQL (the
# AppHost's local scripts) and the Audit service (migrations, ingestion, APIs). Then Synaxis.AuditBench:
#   1. publishes EVENTS events (3 UsageRecorded for 1 admin event, over ORGANIZATIONS organizations) to the two
#      streams and times until Audit has committed them all (events/s);
#   2. compares the two bulk-insert methods on the same rows (multi-row INSERT … unnest, binary COPY + INSERT … SELECT);
#   3. loads ROWS chained log rows and ROWS usage rows of one organization by binary COPY (30 days);
#   4. times /logs (first page, a deep keyset page), /usage by model and by day, and /verify over those rows.
# Everything shares the machine's cores: compare runs on one machine, on a quiet one.
#
# SYNAXIS_BENCH_KEEP=1 keeps the work folder (logs, data) and prints where it is.
# SYNAXIS_BENCH_BATCH=500 Audit:Ingestion:BatchSize (entries per stream per read, one transaction).
#
# Usage: bench/audit-ingestion.sh [EVENTS=200000] [ROWS=1000000] [ORGANIZATIONS=50] [REPEATS=5]
# Needs: dotnet, python3, curl, redis-server and redis-cli (apt-get install -y redis-server), PostgreSQL server
# binaries and psql (apt-get install -y postgresql). As root, PostgreSQL runs as the postgres user.
set -euo pipefail

events=${1:-200000}
rows=${2:-1000000}
organizations=${3:-50}
repeats=${4:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
load_at_start=$(cut -d' ' -f1 /proc/loadavg)
work=$(mktemp -d -t synaxis-audit-XXXXXX)
chmod 755 "$work" # as root, PostgreSQL runs as the postgres user, who must enter it
pids=()
stores=()
postgres_pid=

. "$root/bench/lib.sh"

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${stores[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -z "$postgres_pid" ] || kill -INT "$postgres_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "${SYNAXIS_BENCH_KEEP:-}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

for tool in dotnet python3 redis-server redis-cli psql curl; do
  command -v "$tool" >/dev/null || { echo "$tool not found (redis: apt-get install -y redis-server; psql and PostgreSQL: apt-get install -y postgresql)" >&2; exit 1; }
done


echo "Building (Release)…"
build() { # PROJECT_DIR NAME
  dotnet build -c Release -v q -nologo -o "$work/bin/$2" "$root/$1" >"$work/build-$2.log" 2>&1 ||
    { echo "building $1 failed:" >&2; cat "$work/build-$2.log" >&2; exit 1; }
}
build services/Audit audit
build bench/Synaxis.AuditBench bench

start_redis
start_postgres
audit_port=$(free_port)

database="Host=127.0.0.1;Port=$postgres_port;Database=synaxis;Username=postgres;Password=$postgres_password"
redis="127.0.0.1:$redis_port,password=$redis_password"
audit="http://127.0.0.1:$audit_port"
signing_key="audit-bench-internal-$(random_text 48 abcdefghijklmnopqrstuvwxyz0123456789)"
stream="synaxis:events"

(cd "$work/bin/audit" &&
  exec env ASPNETCORE_URLS="$audit" \
  ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  ConnectionStrings__synaxis="$database" \
  ConnectionStrings__redis="$redis" \
  InternalIdentity__SigningKey="$signing_key" \
  Synaxis__Events__StreamName="$stream" \
  Audit__Ingestion__BatchSize="${SYNAXIS_BENCH_BATCH:-500}" \
  dotnet Synaxis.Audit.dll) >"$work/audit.log" 2>&1 &
pids+=($!)
wait_for "$audit/alive" "$work/audit.log"

echo "Measuring on $(nproc) cores shared by everything (1-minute load average $load_at_start when the script started)…"
dotnet "$work/bin/bench/Synaxis.AuditBench.dll" --database "$database" --redis "$redis" --stream "$stream" --audit "$audit" \
  --signing-key "$signing_key" --events "$events" --rows "$rows" --organizations "$organizations" --repeats "$repeats"
echo "1-minute load average at the end: $(cut -d' ' -f1 /proc/loadavg)"
if grep -q '^\(warn\|fail\|crit\): Synaxis' "$work/audit.log"; then
  echo "The Audit service logged warnings or errors (first lines):" >&2
  grep -m 10 -A 3 '^\(warn\|fail\|crit\): Synaxis' "$work/audit.log" >&2
fi
