#!/usr/bin/env bash
# Runs this machine's PostgreSQL for the Synaxis AppHost when no container runtime is available.
# Usage: postgres-local.sh DATA_DIR PASSWORD_FILE DATABASE   (the port comes in $PORT from Aspire)
# The first run initialises the cluster and creates DATABASE; later runs reuse the data.
set -euo pipefail
data_dir=$1
password_file=$2
database=$3
: "${PORT:?PORT must be set by the AppHost}"

if command -v initdb >/dev/null 2>&1; then
  bin_dir=$(dirname "$(command -v initdb)")
else
  # Debian keeps the server binaries off PATH, one folder per major version.
  bin_dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "${bin_dir:-}" ] || [ ! -x "$bin_dir/postgres" ]; then
  echo "PostgreSQL server binaries not found: install them (apt-get install -y postgresql)." >&2
  exit 1
fi

# initdb and postgres refuse to run as root: run them as the postgres user, who owns the data.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "Running as root but there is no 'postgres' user to run the server as (apt-get install -y postgresql creates it)." >&2
    exit 1
  fi
  as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi

mkdir -p "$data_dir"
if [ ! -s "$data_dir/PG_VERSION" ]; then
  echo "Initialising a new PostgreSQL cluster in $data_dir"
  password_copy=$(mktemp)
  cp "$password_file" "$password_copy"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$data_dir" "$password_copy"
  fi
  chmod 700 "$data_dir"
  "${as_owner[@]}" "$bin_dir/initdb" -D "$data_dir" -U postgres --pwfile="$password_copy" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$password_copy"
fi

marker="$data_dir/.synaxis-database-$database"
if [ ! -e "$marker" ]; then
  # Single-user mode creates the database before the server listens, so nothing can connect to a
  # half-made state. An error (it already exists) is printed and the server still starts.
  echo "CREATE DATABASE \"$database\";" | "${as_owner[@]}" "$bin_dir/postgres" --single -D "$data_dir" postgres >/dev/null || true
  "${as_owner[@]}" touch "$marker"
fi

exec "${as_owner[@]}" "$bin_dir/postgres" -D "$data_dir" -p "$PORT" \
  -c listen_addresses=localhost -c unix_socket_directories= -c max_connections=300
