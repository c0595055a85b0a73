#!/usr/bin/env bash
# Runs this machine's redis-server for the Synaxis AppHost when no container runtime is available.
# Usage: redis-local.sh DATA_DIR PASSWORD_FILE   (the port comes in $PORT from Aspire)
set -euo pipefail
data_dir=$1
password_file=$2
: "${PORT:?PORT must be set by the AppHost}"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found: install it (apt-get install -y redis-server)." >&2
  exit 1
fi

mkdir -p "$data_dir"
# The password goes in a config file readable by its owner only, never on the command line.
umask 077
cat > "$data_dir/redis.conf" <<CONF
bind 127.0.0.1 -::1
dir $data_dir
appendonly yes
# Every admission and every UsageRecorded is a write: with the default 64 MB floor the AOF was rewritten (a fork and
# a child process rewriting the whole dataset) every 5-7 s under load, stealing a core from the services on a small
# machine. Rewrite only past 512 MB (and at 100 % growth, the default): a rare, bigger rewrite.
auto-aof-rewrite-min-size 512mb
save ""
requirepass $(cat "$password_file")
CONF

exec redis-server "$data_dir/redis.conf" --port "$PORT"
