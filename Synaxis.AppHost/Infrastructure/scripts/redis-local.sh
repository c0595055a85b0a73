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
save ""
requirepass $(cat "$password_file")
CONF

exec redis-server "$data_dir/redis.conf" --port "$PORT"
